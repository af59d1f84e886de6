import { seasonLock } from '../shared/season-lock';
import { read, unportedSqlite, write, type Store, type StoreDb } from '../db/store';
import { auditInWrite, type Actor } from '../audit/record';
import { notifyLeaderboard } from '../realtime/publish';
import { systemClock, type Clock } from '../shared/clock';
import { SeasonRuns, type SeasonRequest } from '../shared/season-runs';
import { yieldToLoop } from '../shared/yield-to-loop';
import { decideGroupAwardsInWrite, publishDecidedOnStore } from '../badges/decide-in-write';
import { holdingCatchUp } from '../badges/catch-up';
import type { DecidedAwards } from '../badges/awards';
import { bumpVersionInWrite, markStandingsMoved, type StandingMove } from './standings';
import {
	addPlan,
	emptyRecalculation,
	finishPlan,
	recalculationTotals,
	type Recalculation,
	type SeasonScoring
} from './recalculate';
import type { Chunk, PersonCursor } from './recalculate-chunk';
import {
	applyChunkInWrite,
	nextRecalculationPersonInWrite,
	planChunkInWrite,
	recalculationDoersInWrite,
	seasonScoringInWrite,
	startPersonInWrite
} from './recalculate-store';
import {
	previewRecalculation,
	recalculateInSlices,
	recalculationRunning,
	recalculationSliceMs,
	recalculationsSettled
} from './recalculate-run';

// The season recalculation on PostgreSQL (#20): what recalculate-run.ts does on SQLite's
// connection, on the store. Person by person, chunk by chunk (recalculate-store.ts), each slice
// one `read` (the preview) or one `write` (the run) of a few chunks, yielding in between; a sale
// recorded meanwhile is counted once, as on SQLite (the slice reads its days' sales in its own
// serializable transaction). A write PostgreSQL runs again after a serialization conflict starts
// from the slice's first state: the cursor and the plan move only once it has committed.
//
// One run per season at a time across the nodes: the run holds a session advisory lock of the
// season (on a client of its own, so that PostgreSQL drops it if the node dies); a run asked on
// another node meanwhile waits for it, then runs, as a request merged on the same node does.

/** Where a run or a preview stands between two slices. */
interface Progress {
	doers?: number[];
	lastPerson: number;
	cursor?: PersonCursor;
	finished: boolean;
}

/**
 * What one slice did, committed: its chunks, the people whose standing moved and (a run's) the
 * badges its write decided.
 */
interface Slice {
	progress: Progress;
	chunks: Chunk[];
	moved: StandingMove[];
	decided?: DecidedAwards;
}

type Step = (
	tx: StoreDb,
	ctx: SeasonScoring,
	cursor: PersonCursor,
	sales: number,
	moved: StandingMove[]
) => Promise<Chunk>;

/** A run's last step in a slice's write, after its chunks (none for a preview). */
type Finish = (tx: StoreDb, chunks: Chunk[]) => Promise<DecidedAwards | undefined>;

/** One slice's chunks, from `start` (not changed: a retried write starts from it again). */
async function slice(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	start: Progress,
	step: Step,
	finish?: Finish
): Promise<Slice | undefined> {
	const ctx = await seasonScoringInWrite(tx, store, seasonId);
	if (!ctx) return undefined;
	const progress = { ...start, cursor: start.cursor && { ...start.cursor } };
	progress.doers ??= await recalculationDoersInWrite(tx, store, seasonId);
	const chunks: Chunk[] = [];
	const moved: StandingMove[] = [];
	const started = performance.now();
	const budget = recalculationSliceMs();
	while (chunks.length === 0 || (budget > 0 && performance.now() - started < budget)) {
		if (!progress.cursor) {
			const next = await nextRecalculationPersonInWrite(
				tx,
				store,
				seasonId,
				progress.doers,
				progress.lastPerson
			);
			if (next === undefined) {
				progress.finished = true;
				break;
			}
			progress.lastPerson = next;
			progress.cursor = await startPersonInWrite(tx, store, next);
		}
		// No budget (tests): one chunk per slice, of the chunk size set.
		chunks.push(await step(tx, ctx, progress.cursor, Infinity, moved));
		if (progress.cursor.done) progress.cursor = undefined;
	}
	return { progress, chunks, moved, decided: await finish?.(tx, chunks) };
}

/**
 * Runs the slices of a preview (`read`) or a run (`write`) until every person is done; each
 * committed slice goes to `committed`. False when the season is not there (any more).
 */
async function sliced(
	store: Store,
	seasonId: number,
	transact: typeof write,
	step: Step,
	committed: (done: Slice) => void,
	finish?: Finish
): Promise<boolean> {
	let progress: Progress = { lastPerson: 0, finished: false };
	for (;;) {
		const start = progress;
		const done = await transact(
			store,
			(tx) => slice(tx, store, seasonId, start, step, finish),
			// A slice that lost takes the seasons before it runs again: the board's version is what
			// every sale's write moves too.
			{ claimSeasons: 'afterLoss' }
		);
		if (!done) return progress.doers !== undefined;
		progress = done.progress;
		committed(done);
		if (progress.finished) return true;
		await yieldToLoop();
	}
}

/** What recalculating the season would change, without changing it: SQLite's or the store's. */
export function previewRecalculationOn(store: Store, seasonId: number): Promise<Recalculation> {
	const db = unportedSqlite(store);
	return db ? previewRecalculation(db, seasonId) : previewRecalculationOnStore(store, seasonId);
}

/** What recalculating the season would change, on the store, without changing it. */
export async function previewRecalculationOnStore(
	store: Store,
	seasonId: number
): Promise<Recalculation> {
	const plan = emptyRecalculation();
	const found = await sliced(
		store,
		seasonId,
		read,
		(tx, ctx, cursor, sales) => planChunkInWrite(tx, store, ctx, cursor, sales),
		(done) => done.chunks.forEach((chunk) => addPlan(plan, chunk.plan))
	);
	if (!found) throw new Error(`No season ${seasonId}`);
	return finishPlan(plan);
}

interface Request extends SeasonRequest<Recalculation> {
	actor: Actor;
	clock: Clock;
}

/** One run on the store, under the season's lock; audited once with the totals. */
function run(store: Store, seasonId: number, request: Request): Promise<Recalculation> {
	// The node's badge catch-up waits between its slices while the run goes on (holdingCatchUp).
	return underSeasonLock(store, seasonId, () =>
		holdingCatchUp(store, () =>
			recalculateWithStoreBody(store, seasonId, request.actor, request.clock)
		)
	);
}

/**
 * The run's slices on the store body, on either dialect, without the lock nor the queue: the
 * PostgreSQL run's body, and SQLite's in bench/recalc-store.ts (weighed against the synchronous
 * body SQLite keeps).
 */
export async function recalculateWithStoreBody(
	store: Store,
	seasonId: number,
	actor: Actor,
	clock: Clock
): Promise<Recalculation> {
	const plan = emptyRecalculation();
	const found = await sliced(
		store,
		seasonId,
		write,
		async (tx, ctx, cursor, sales, moved) => {
			const chunk = await planChunkInWrite(tx, store, ctx, cursor, sales);
			await applyChunkInWrite(tx, store, seasonId, chunk, actor, clock(), moved);
			return chunk;
		},
		(done) => {
			done.chunks.forEach((chunk) => addPlan(plan, chunk.plan));
			if (done.decided) publishDecidedOnStore(store, done.decided, clock);
			markStandingsMoved(done.moved);
			if (done.chunks.some(changesPoints)) notifyLeaderboard(seasonId);
		},
		(tx, chunks) => finishSlice(tx, store, seasonId, chunks, clock())
	);
	if (!found) throw new Error(`No season ${seasonId}`);
	const totals = recalculationTotals(plan);
	await write(store, (tx) =>
		auditInWrite(tx, store, actor, 'season.recalculate', `season:${seasonId}`, totals, clock())
	);
	return finishPlan(plan);
}

/** Runs `work` holding the season's recalculation lock. */
async function underSeasonLock<T>(store: Store, seasonId: number, work: () => Promise<T>) {
	const lock = await seasonLock(store, RECALC_LOCK, seasonId);
	try {
		return await work();
	} finally {
		await lock.release();
	}
}

/**
 * A run's slice that changed points, before its write commits: the board's next version and the
 * slice's adjustments into the badge facts. PostgreSQL commits ledger ids out of order: an entry
 * committed behind the facts' cursor, which a sale's write moved meanwhile, would never be taken
 * in. Moving the cursor in the slice's own write makes such a sale's write conflict with this
 * one, and one of them runs again. Once per slice, not per chunk: the step is 6 statements
 * (savepoint, cursor, entries, last entry, cursor, release), a quarter of a run's queries
 * when people have two sales each (docs/benchmarks.md).
 */
async function finishSlice(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	chunks: Chunk[],
	now: number
): Promise<DecidedAwards | undefined> {
	const changed = chunks.filter(changesPoints);
	if (changed.length === 0) return undefined;
	// Every committed state of the board its own version (recalculate-run.ts says why).
	await bumpVersionInWrite(tx, store, seasonId);
	return decideGroupAwardsInWrite(tx, store, now, [], changed.reduce(entriesOf, 0));
}

/** The ledger entries a chunk's write adds: one per changed sale or activity. */
const entriesOf = (sum: number, chunk: Chunk) =>
	sum + chunk.plan.changes.length + chunk.plan.activityChanges.length;

const changesPoints = (chunk: Chunk) =>
	chunk.plan.changes.length + chunk.plan.activityChanges.length > 0;

/** The advisory lock's first key: the recalculations' ("RClc"); the second is the season. */
const RECALC_LOCK = 0x52436c63;
/** Whether a node holds the season's recalculation lock (a run goes on somewhere). */
async function lockHeld(store: Store, seasonId: number): Promise<boolean> {
	if (store.dialect !== 'postgres') return false;
	const { rows } = await store.pool.query<{ held: boolean }>(
		`select exists(select 1 from pg_locks where locktype = 'advisory' and classid = $1::int::oid
			and objid = $2::int::oid and objsubid = 2) as held`,
		[RECALC_LOCK, seasonId]
	);
	return rows[0].held;
}

/** One run per season and store on this node; a request made meanwhile runs once after it. */
const runs = new SeasonRuns<Recalculation, Request, Store>(run, (into, more) => {
	into.actor = more.actor;
	into.clock = more.clock;
	into.waiters.push(...more.waiters);
});

/**
 * Recalculates the season with today's rules in slices that yield: recalculateInSlices on
 * SQLite's connection, the store's run on PostgreSQL. Resolves with what changed once done.
 */
export function recalculateOn(
	store: Store,
	seasonId: number,
	actor: Actor,
	clock: Clock = systemClock
): Promise<Recalculation> {
	const db = unportedSqlite(store);
	if (db) return recalculateInSlices(db, seasonId, actor, clock);
	return new Promise<Recalculation>((resolve, reject) =>
		runs.ask(store, seasonId, { actor, clock, waiters: [{ resolve, reject }] })
	);
}

/** Whether a recalculation of the season runs or waits, on this node or (PostgreSQL) another. */
export async function recalculationRunningOn(store: Store, seasonId: number): Promise<boolean> {
	const db = unportedSqlite(store);
	if (db) return recalculationRunning(db, seasonId);
	return runs.busy(store, seasonId) || (await lockHeld(store, seasonId));
}

/** Resolves once no recalculation runs or waits on this store (tests). */
export function recalculationsSettledOn(store: Store): Promise<void> {
	const db = unportedSqlite(store);
	return db ? recalculationsSettled(db) : runs.settled(store);
}
