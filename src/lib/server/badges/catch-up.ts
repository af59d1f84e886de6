import { performance } from 'node:perf_hooks';
import { storeOpen, unportedSqlite, write, type Store } from '../db/store';
import type { Clock } from '../shared/clock';
import { log } from '../shared/log';
import { seasonLock } from '../shared/season-lock';
import { ENTRIES_PER_CALL, publishAwardChanges } from './awards';
import { decideAwardsInWrite } from './decide-in-write';

// The badge facts' catch-up of a ledger backlog (after an upgrade, a big import window, sales
// recorded without the badge step), one body for both dialects (#20 step 2): one write per
// slice of the ledger, each slice's awards published once it has committed, the slices paced
// to leave a busy event loop most of its time, and one run per database at a time. While it
// runs, the sales' own badge steps take in only as many entries as they added (`stepLimit`),
// so that the backlog does not grow with the traffic and the slices shrink it.

/** Ledger entries per slice of the catch-up: a few ms each on a quiet machine. */
export const ENTRIES_PER_SLICE = 50;

/**
 * When the rest of the server keeps the event loop busy, the slices take at most this share of
 * it (a pause after each slice, proportional to its length and to how busy the loop was since
 * the last one); on an idle loop, all of it. After a restart behind a 200,000-entry backlog the
 * slices, and the sales' own badge steps taking in 50 entries each, held 42 % of the server's
 * CPU for over 20 s and the API ran at 14 % of the bare stack's rate (docs/benchmarks.md, "The
 * badge catch-up after a restart"). A share, not a priority: the backlog always advances, and a
 * quiet server takes it in at full speed. Note: 0.15 left a 200,000-entry backlog unfinished
 * after 100 s of 1,000 sales/s; the catch-up runs at ~10,000 entries/s at most.
 */
const SHARE_WHEN_BUSY = 0.3;

/**
 * The advisory lock's first key on PostgreSQL: the catch-up's ("BFac"); the second is 0, the
 * ledger's (shared/season-lock.ts takes a season there, and the backlog is no season's).
 */
const CATCH_UP_LOCK = 0x42466163;
const LEDGER = 0;

export interface CaughtUp {
	slices: number;
	awarded: number;
}

// By database: SQLite's connection (every store made on it is the same database, as the group
// commit's queues), the store itself on PostgreSQL (its pool).
const keyOf = (store: Store): object => unportedSqlite(store) ?? store;

/** Databases whose backlog the slices are taking in now (a sale's step leaves it to them). */
const slicing = new WeakSet<object>();
/** The catch-up running, by database: a second caller gets its promise instead of slicing too. */
const running = new WeakMap<object, Promise<CaughtUp>>();

/**
 * How many ledger entries a badge step on the store that wrote `added` entries takes in:
 * ENTRIES_PER_CALL more while no catch-up runs; while one does, only as many as it added (not
 * its own, which lie behind the backlog): the backlog never grows with the traffic, and the
 * paced slices shrink it.
 */
export function stepLimit(store: Store, added: number): number {
	return slicing.has(keyOf(store)) ? Math.max(1, added) : ENTRIES_PER_CALL + added;
}

/**
 * The facts take in the ledger's backlog, one write per `entriesPerSlice` entries, deciding
 * awards as they go; resolves once none is left. One run per database: a caller while one runs
 * gets its promise. On PostgreSQL one run per cluster too: two nodes' slices both move the one
 * badge_cursor row, so each slice of one would lose its serializable write to the other's and
 * run again (the re-evaluation's slices ran out of retries that way); a run waits for another
 * node's under an advisory lock, its node's sales taking in their own count meanwhile, and then
 * finds little or nothing left.
 */
export function catchUpOnStore(
	store: Store,
	clock: Clock,
	entriesPerSlice = ENTRIES_PER_SLICE
): Promise<CaughtUp> {
	const key = keyOf(store);
	let run = running.get(key);
	if (!run) {
		run = underLock(store, key, clock, entriesPerSlice).finally(() => {
			slicing.delete(key);
			running.delete(key);
		});
		running.set(key, run);
	}
	return run;
}

/** A hold on a database's catch-up: how many runs hold it, and its release. */
interface Hold {
	count: number;
	released: Promise<void>;
	release: () => void;
}
const holds = new WeakMap<object, Hold>();

/**
 * Runs `work` with this database's catch-up held between its slices (its lock and its
 * `stepLimit` kept: the steps of `work` and of the sales meanwhile still move the cursor, by
 * their own count). A recalculation on PostgreSQL writes slices longer than the catch-up's, both
 * moving the facts' cursor row: the catch-up's short writes, one after the other, won every
 * conflict, and a slice of the run lost its 10 attempts and failed with 503
 * (bench/recalc-pg.ts --backlog). The catch-up goes on once no run holds it.
 */
export async function holdingCatchUp<T>(store: Store, work: () => Promise<T>): Promise<T> {
	const key = keyOf(store);
	let hold = holds.get(key);
	if (!hold) {
		let release = () => {};
		const released = new Promise<void>((resolve) => (release = resolve));
		hold = { count: 0, released, release };
		holds.set(key, hold);
	}
	hold.count += 1;
	try {
		return await work();
	} finally {
		hold.count -= 1;
		if (hold.count === 0) {
			holds.delete(key);
			hold.release();
		}
	}
}

/** Resolves once no run holds the database's catch-up (holdingCatchUp). */
async function notHeld(key: object): Promise<void> {
	for (let hold = holds.get(key); hold; hold = holds.get(key)) await hold.released;
}

/**
 * A backlog a step left (it took in part of the ledger) is taken in by the slices right after,
 * in the background, unless they are running already. Nothing is left behind when they end:
 * a step while they run takes in as many entries as it added, from wherever they left the
 * cursor; and on PostgreSQL a step and a slice that overlap both move the cursor row, so the
 * later one runs again from where the earlier one left it.
 */
export function continueCatchUp(store: Store, clock: Clock): void {
	if (running.has(keyOf(store))) return;
	catchUpOnStore(store, clock).catch((error) => {
		if (storeOpen(store)) log.error({ err: error }, 'badge facts catch-up failed');
	});
}

async function underLock(
	store: Store,
	key: object,
	clock: Clock,
	entriesPerSlice: number
): Promise<CaughtUp> {
	// Whoever holds the lock is taking the backlog in: this node's sales leave it to them too.
	slicing.add(key);
	const lock = await seasonLock(store, CATCH_UP_LOCK, LEDGER);
	try {
		return await takeInSlices(store, key, clock, entriesPerSlice);
	} finally {
		await lock.release();
	}
}

async function takeInSlices(
	store: Store,
	key: object,
	clock: Clock,
	entriesPerSlice: number
): Promise<CaughtUp> {
	let slices = 0;
	let awarded = 0;
	const began = performance.now();
	let since = performance.eventLoopUtilization();
	for (;;) {
		await notHeld(key);
		let busy = 0;
		let took = 0;
		const decided = await write(store, async (tx) => {
			// How busy the loop was with other work since the last slice (0 to 1), the turn the
			// write waited to start included; and the slice's own time: on SQLite the loop it held,
			// on PostgreSQL the time it held the cursor row the sales' steps wait on.
			busy = performance.eventLoopUtilization(since).utilization;
			const started = performance.now();
			const slice = await decideAwardsInWrite(tx, store, clock(), entriesPerSlice);
			took = performance.now() - started;
			return slice;
		});
		slices += 1;
		for (const [id, c] of decided.changes) {
			awarded += c.awarded.length;
			publishAwardChanges(id, c);
		}
		if (!decided.backlog) break;
		since = performance.eventLoopUtilization();
		// No yield of its own otherwise: the next write lets the loop turn before it starts (on
		// SQLite a hop of its own, on PostgreSQL its I/O); with one more, each slice waited two
		// turns of a busy loop (docs/benchmarks.md, "The badge catch-up on the store").
		const wait = (busy * took * (1 - SHARE_WHEN_BUSY)) / SHARE_WHEN_BUSY;
		if (wait >= 1) await new Promise((resolve) => setTimeout(resolve, wait));
	}
	// A backlog's end, for the operator (and bench:restart): how long users waited for badges.
	if (slices > 1)
		log.info({ slices, ms: Math.round(performance.now() - began) }, 'badge facts caught up');
	return { slices, awarded };
}
