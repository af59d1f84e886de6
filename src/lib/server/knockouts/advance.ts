import { and, eq, inArray, lte } from 'drizzle-orm';
import type { Knockout } from '../db/schema';
import { write, type Store, type StoreDb, type Tables } from '../db/store';
import { offLoopReader } from '../db/dialect';
import { readLeaderboard } from '../boards/leaderboard';
import {
	bracketSlots,
	firstRound,
	freezeAt,
	nextPlace,
	roundCount,
	type ResolvedMatch
} from '../../contest/knockout';
import { publishAwardChanges, type AwardChanges } from '../badges/awards';
import { systemClock, type Clock } from '../shared/clock';
import { awardFrozenWinInWrite } from '../badges/counted';
import { planOf, readBracket, readBracketSeason, type BracketSeason } from './bracket';

// The scheduler's knockout work: seed a knockout when it starts, and freeze each round once its
// grace period is over (which fills the next round). Each step is one write of the store
// (db/store.ts), moved by an update guarded by the state it was read in (status 'scheduled',
// roundsFrozen = r) with `returning`, so a second run, another node or a restart does nothing
// twice: of two nodes freezing one round, one update returns the row and the other none (on
// PostgreSQL the loser's write runs again and finds the round frozen). The step that freezes the
// final gives the winner (a person, or each member of the winning team) their "knockouts won"
// badges. A cancelled knockout is left alone. A due round is read by `readDueRound`, on the read
// thread (reads/worker.ts) on SQLite when one runs.

/** Where a due round is read when not through the store: the read thread (SQLite). */
export interface RoundReader {
	dueKnockoutRound(id: number, now: number): Promise<DueRound | null>;
}

/**
 * Seeds and freezes what is due; returns the seasons whose knockouts changed. A due round's
 * sums read the entrants' ledger (~260 ms at 200,000 sales): on SQLite the read thread reads
 * them when one runs, off the event loop, else they are read through the store; either way
 * before the write, which freezes the round only while the knockout and its season are still
 * what it was read from. The values are those of a snapshot taken once the round's grace period
 * was over, as a freeze's are: a sale committed meanwhile is one committed after the freeze.
 */
export async function advanceKnockouts(
	store: Store,
	clock: Clock = systemClock,
	reader?: RoundReader
): Promise<number[]> {
	const now = clock();
	const { knockout } = store.tables;
	const changed = new Set<number>();
	// The read thread reads SQLite's file: on PostgreSQL the pool is the read path.
	const thread = offLoopReader(store, reader);
	const started = await store.db
		.select({ id: knockout.id })
		.from(knockout)
		.where(and(inArray(knockout.status, ['scheduled', 'live']), lte(knockout.startsAt, now)));
	for (const { id } of started) {
		// One step per write: seeding, then each round in turn.
		for (let step = 0; step < 10; step++) {
			const [k] = await store.db.select().from(knockout).where(eq(knockout.id, id));
			let done: Step | null = null;
			if (k?.status === 'scheduled') {
				done = await seedOnStore(store, k, now);
			} else if (k?.status === 'live' && k.startsAt <= now) {
				const s = await readBracketSeason(store.db, store.tables, k.seasonId);
				if (!s || now < freezeAt(planOf(k, s), k.roundsFrozen)) break;
				const due = thread
					? await thread.dueKnockoutRound(id, now)
					: await readDueRound(store.db, store.tables, id, now);
				done = due
					? await write(store, (tx) => freezeIfUnchangedInWrite(tx, store, due, now))
					: null;
			}
			if (done === null) break;
			changed.add(done.seasonId);
			if (done.badges) publishAwardChanges(done.seasonId, done.badges);
		}
	}
	return [...changed];
}

interface Step {
	seasonId: number;
	/** The winner's badges, when the step froze the final. */
	badges?: AwardChanges;
}

/** A live knockout's round that is due to be frozen, as the bracket resolves it at `now`. */
export interface DueRound {
	knockoutId: number;
	round: number;
	/** The round's matches: who plays, their values, the winners. */
	matches: ResolvedMatch[];
	last: boolean;
	/** What the round was read from: it is written only while these still hold. */
	basis: Basis;
}

type Basis = Pick<
	Knockout,
	| 'seasonId'
	| 'status'
	| 'roundsFrozen'
	| 'subject'
	| 'measure'
	| 'startsAt'
	| 'roundLength'
	| 'roundUnit'
	| 'graceHours'
> &
	BracketSeason;

function basisOf(k: Knockout, s: BracketSeason): Basis {
	return {
		seasonId: k.seasonId,
		status: k.status,
		roundsFrozen: k.roundsFrozen,
		subject: k.subject,
		measure: k.measure,
		startsAt: k.startsAt,
		roundLength: k.roundLength,
		roundUnit: k.roundUnit,
		graceHours: k.graceHours,
		rankBy: s.rankBy,
		timeZone: s.timeZone
	};
}

/**
 * The round of a knockout due to be frozen at `now`, read from the ledger; null if none is. The
 * plan says whether a round is due before the bracket's sums are read (~260 ms at 200,000
 * sales, which the scheduler's tick paid every 30 s while a round ran; docs/benchmarks.md, "A
 * restart on a large season"). The read thread's too, on SQLite.
 */
export async function readDueRound(
	db: StoreDb,
	tables: Tables,
	id: number,
	now: number
): Promise<DueRound | null> {
	const [k] = await db.select().from(tables.knockout).where(eq(tables.knockout.id, id));
	if (!k || k.status !== 'live' || k.startsAt > now) return null;
	const s = await readBracketSeason(db, tables, k.seasonId);
	if (!s || now < freezeAt(planOf(k, s), k.roundsFrozen)) return null;
	const r = k.roundsFrozen;
	const bracket = await readBracket(db, tables, k, s, now, r);
	if (!bracket || r >= bracket.rounds.length) return null;
	return {
		knockoutId: id,
		round: r,
		matches: bracket.rounds[r],
		last: r === bracket.rounds.length - 1,
		basis: basisOf(k, s)
	};
}

/** Freezes a round read before this write, if nothing it was read from has changed. */
async function freezeIfUnchangedInWrite(
	tx: StoreDb,
	store: Store,
	due: DueRound,
	now: number
): Promise<Step | null> {
	const { knockout } = store.tables;
	const [k] = await tx.select().from(knockout).where(eq(knockout.id, due.knockoutId));
	const s = k ? await readBracketSeason(tx, store.tables, k.seasonId) : undefined;
	if (!k || !s) return null;
	const basis = basisOf(k, s);
	const same = (Object.keys(basis) as (keyof Basis)[]).every(
		(key) => basis[key] === due.basis[key]
	);
	return same ? freezeRoundInWrite(tx, store, k, due, now) : null;
}

/** Writes a due round's winners, fills the next round; the final ends the knockout. */
async function freezeRoundInWrite(
	tx: StoreDb,
	store: Store,
	k: Knockout,
	due: DueRound,
	now: number
): Promise<Step | null> {
	const { knockout, knockoutMatch } = store.tables;
	const r = due.round;
	const [claimed] = await tx
		.update(knockout)
		.set({ roundsFrozen: r + 1 })
		.where(and(eq(knockout.id, k.id), eq(knockout.roundsFrozen, r)))
		.returning({ id: knockout.id });
	if (!claimed) return null;
	for (const match of due.matches) {
		await tx
			.update(knockoutMatch)
			.set({
				aId: match.aId,
				bId: match.bId,
				aSeed: match.aSeed,
				bSeed: match.bSeed,
				aValue: match.aValue,
				bValue: match.bValue,
				winnerId: match.winnerId,
				decidedAt: now
			})
			.where(
				and(
					eq(knockoutMatch.knockoutId, k.id),
					eq(knockoutMatch.round, r),
					eq(knockoutMatch.slot, match.slot)
				)
			);
		if (due.last || match.winnerId === null) continue;
		const place = nextPlace(match.slot);
		const seed = match.winnerId === match.aId ? match.aSeed : match.bSeed;
		await tx
			.update(knockoutMatch)
			.set(
				place.side === 'a'
					? { aId: match.winnerId, aSeed: seed }
					: { bId: match.winnerId, bSeed: seed }
			)
			.where(
				and(
					eq(knockoutMatch.knockoutId, k.id),
					eq(knockoutMatch.round, r + 1),
					eq(knockoutMatch.slot, place.slot)
				)
			);
	}
	if (!due.last) return { seasonId: k.seasonId };
	const winnerId = due.matches[0].winnerId;
	await tx
		.update(knockout)
		.set({ status: 'final', winnerId, finalizedAt: now })
		.where(eq(knockout.id, k.id));
	const badges =
		winnerId !== null
			? await awardFrozenWinInWrite(tx, store, 'knockouts_won', k, winnerId, now)
			: undefined;
	return { seasonId: k.seasonId, badges };
}

/**
 * Seeds the entrants by the season's ranking now: the top `size` people or teams. The board is
 * read before the write (one snapshot of its own, `readLeaderboard`); the write claims the
 * knockout by an update guarded by its status 'scheduled', so one node seeds it.
 */
async function seedOnStore(store: Store, k: Knockout, now: number): Promise<Step | null> {
	if (!(await readBracketSeason(store.db, store.tables, k.seasonId))) return null;
	const board = await readLeaderboard(store, k.seasonId);
	const ranked = (k.subject === 'user' ? board?.individual : board?.teams) ?? [];
	const ids = ranked.slice(0, k.size).map((e) => e.id);
	const { knockout, knockoutMatch } = store.tables;
	return write(store, async (tx) => {
		const [claimed] = await tx
			.update(knockout)
			.set({ status: 'live', seededAt: now })
			.where(and(eq(knockout.id, k.id), eq(knockout.status, 'scheduled')))
			.returning({ id: knockout.id });
		if (!claimed) return null;
		if (ids.length < 2) {
			// Nobody to play: the knockout ends at once, without a winner.
			await tx
				.update(knockout)
				.set({ status: 'final', finalizedAt: now })
				.where(eq(knockout.id, k.id));
			return { seasonId: k.seasonId };
		}
		const rows: (typeof knockoutMatch.$inferInsert)[] = firstRound(ids).map((p) => ({
			knockoutId: k.id,
			round: 0,
			slot: p.slot,
			aId: p.a.id,
			aSeed: p.a.seed,
			bId: p.b?.id ?? null,
			bSeed: p.b?.seed ?? null,
			// A bye goes through at once.
			winnerId: p.b ? null : p.a.id,
			decidedAt: p.b ? null : now
		}));
		const rounds = roundCount(bracketSlots(ids.length));
		for (let round = 1, n = rows.length / 2; round < rounds; round++, n /= 2)
			for (let slot = 0; slot < n; slot++) rows.push({ knockoutId: k.id, round, slot });
		await tx.insert(knockoutMatch).values(rows);
		return { seasonId: k.seasonId };
	});
}
