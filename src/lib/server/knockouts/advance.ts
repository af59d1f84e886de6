import { and, eq, inArray, lte } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import { knockout, knockoutMatch, type Knockout } from '../db/schema';
import { getLeaderboard } from '../boards/leaderboard';
import {
	bracketSlots,
	firstRound,
	freezeAt,
	nextPlace,
	roundCount,
	type ResolvedMatch
} from '../../contest/knockout';
import { awardFrozenWin } from '../badges/counted';
import { publishAwardChanges, type AwardChanges } from '../badges/awards';
import { systemClock, type Clock } from '../shared/clock';
import { bracketOf, planOf, seasonOf, type BracketSeason } from './bracket';

// The scheduler's knockout work: seed a knockout when it starts, and freeze each round once its
// grace period is over (which fills the next round). Each step is written in one transaction,
// only from the state it was read in (status 'scheduled', roundsFrozen = r), so a second run,
// another process or a restart does nothing twice. The step that freezes the final gives the
// winner (a person, or each member of the winning team) their "knockouts won" badges. A
// cancelled knockout is left alone.

/** The knockouts that may have something to do at `now`: scheduled or live, and started. */
function startedKnockouts(db: Queryable, now: number): number[] {
	return db
		.select({ id: knockout.id })
		.from(knockout)
		.where(and(inArray(knockout.status, ['scheduled', 'live']), lte(knockout.startsAt, now)))
		.all()
		.map(({ id }) => id);
}

/** Seeds and freezes what is due; returns the seasons whose knockouts changed. */
export function advanceKnockouts(db: Db, clock: Clock = systemClock): number[] {
	const now = clock();
	const changed = new Set<number>();
	for (const id of startedKnockouts(db, now)) {
		// One step per transaction: seeding, then each round in turn.
		for (let step = 0; step < 10; step++) {
			const done = db.transaction((tx) => advanceOne(tx, id, now), { behavior: 'immediate' });
			if (done === null) break;
			published(done, changed);
		}
	}
	return [...changed];
}

/**
 * advanceKnockouts with each due round read by the read thread (reads/thread.ts), off the
 * event loop: the round's sums read the entrants' ledger (~260 ms at 200,000 sales). Only the
 * write is done here, in a transaction that first checks that the knockout and its season are
 * still what the round was read from. The values are those of a snapshot taken once the round's
 * grace period was over, as a freeze's are: a sale committed while the thread reads is one
 * committed after the freeze. Seeding reads the board only and stays here.
 */
export async function advanceKnockoutsOffThread(
	db: Db,
	thread: { dueKnockoutRound(id: number, now: number): Promise<DueRound | null> },
	clock: Clock = systemClock
): Promise<number[]> {
	const now = clock();
	const changed = new Set<number>();
	for (const id of startedKnockouts(db, now)) {
		for (let step = 0; step < 10; step++) {
			const k = db.select().from(knockout).where(eq(knockout.id, id)).get();
			let done: Step | null = null;
			if (k?.status === 'scheduled') {
				done = db.transaction((tx) => advanceOne(tx, id, now), { behavior: 'immediate' });
			} else if (k && roundIsDue(db, k, now)) {
				const due = await thread.dueKnockoutRound(id, now);
				done = due
					? db.transaction((tx) => freezeIfUnchanged(tx, due, now), { behavior: 'immediate' })
					: null;
			}
			if (done === null) break;
			published(done, changed);
		}
	}
	return [...changed];
}

function published(done: Step, changed: Set<number>) {
	changed.add(done.seasonId);
	if (done.badges) publishAwardChanges(done.seasonId, done.badges);
}

interface Step {
	seasonId: number;
	/** The winner's badges, when the step froze the final. */
	badges?: AwardChanges;
}

/** One step of one knockout; its season (and badges) when something changed, else null. */
function advanceOne(tx: Queryable, id: number, now: number): Step | null {
	const k = tx.select().from(knockout).where(eq(knockout.id, id)).get();
	if (!k || k.status === 'final' || k.status === 'cancelled' || k.startsAt > now) return null;
	if (k.status === 'scheduled') {
		if (!seasonOf(tx, k.seasonId)) return null;
		const seeded = seed(tx, k, now);
		return seeded === null ? null : { seasonId: seeded };
	}
	const due = dueRoundOf(tx, id, now);
	return due ? freezeRound(tx, k, due, now) : null;
}

/**
 * Whether a live knockout's next round is past its grace period: from the plan alone, without
 * the bracket, whose sums read the entrants' ledger (~260 ms at 200,000 sales, which the
 * scheduler's tick paid every 30 s while a round ran; docs/benchmarks.md, "A restart on a
 * large season").
 */
function roundIsDue(db: Queryable, k: Knockout, now: number): boolean {
	if (k.status !== 'live' || k.startsAt > now) return false;
	const s = seasonOf(db, k.seasonId);
	return s !== undefined && now >= freezeAt(planOf(k, s), k.roundsFrozen);
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

/** The round of a knockout due to be frozen at `now`, read from the ledger; null if none is. */
export function dueRoundOf(db: Queryable, id: number, now: number): DueRound | null {
	const k = db.select().from(knockout).where(eq(knockout.id, id)).get();
	if (!k || !roundIsDue(db, k, now)) return null;
	const s = seasonOf(db, k.seasonId)!;
	const r = k.roundsFrozen;
	const bracket = bracketOf(db, k, s, now, r);
	if (!bracket || r >= bracket.rounds.length) return null;
	return {
		knockoutId: id,
		round: r,
		matches: bracket.rounds[r],
		last: r === bracket.rounds.length - 1,
		basis: basisOf(k, s)
	};
}

/** Freezes a round read before this transaction, if nothing it was read from has changed. */
function freezeIfUnchanged(tx: Queryable, due: DueRound, now: number): Step | null {
	const k = tx.select().from(knockout).where(eq(knockout.id, due.knockoutId)).get();
	const s = k ? seasonOf(tx, k.seasonId) : undefined;
	if (!k || !s) return null;
	const basis = basisOf(k, s);
	const same = (Object.keys(basis) as (keyof Basis)[]).every(
		(key) => basis[key] === due.basis[key]
	);
	return same ? freezeRound(tx, k, due, now) : null;
}

/** Writes a due round's winners, fills the next round; the final ends the knockout. */
function freezeRound(tx: Queryable, k: Knockout, due: DueRound, now: number): Step | null {
	const r = due.round;
	const claimed = tx
		.update(knockout)
		.set({ roundsFrozen: r + 1 })
		.where(and(eq(knockout.id, k.id), eq(knockout.roundsFrozen, r)))
		.run().changes;
	if (claimed === 0) return null;
	for (const match of due.matches) {
		tx.update(knockoutMatch)
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
			)
			.run();
		if (due.last || match.winnerId === null) continue;
		const place = nextPlace(match.slot);
		const seed = match.winnerId === match.aId ? match.aSeed : match.bSeed;
		tx.update(knockoutMatch)
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
			)
			.run();
	}
	if (!due.last) return { seasonId: k.seasonId };
	const winnerId = due.matches[0].winnerId;
	tx.update(knockout)
		.set({ status: 'final', winnerId, finalizedAt: now })
		.where(eq(knockout.id, k.id))
		.run();
	const badges =
		winnerId !== null ? awardFrozenWin(tx, 'knockouts_won', k, winnerId, now) : undefined;
	return { seasonId: k.seasonId, badges };
}

/** Seeds the entrants by the season's ranking now: the top `size` people or teams. */
function seed(tx: Queryable, k: Knockout, now: number): number | null {
	const claimed = tx
		.update(knockout)
		.set({ status: 'live', seededAt: now })
		.where(and(eq(knockout.id, k.id), eq(knockout.status, 'scheduled')))
		.run().changes;
	if (claimed === 0) return null;
	const board = getLeaderboard(tx, k.seasonId);
	const ranked = (k.subject === 'user' ? board?.individual : board?.teams) ?? [];
	const ids = ranked.slice(0, k.size).map((e) => e.id);
	if (ids.length < 2) {
		// Nobody to play: the knockout ends at once, without a winner.
		tx.update(knockout)
			.set({ status: 'final', finalizedAt: now })
			.where(eq(knockout.id, k.id))
			.run();
		return k.seasonId;
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
	tx.insert(knockoutMatch).values(rows).run();
	return k.seasonId;
}
