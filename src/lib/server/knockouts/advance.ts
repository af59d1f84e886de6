import { and, eq, inArray, lte } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import { knockout, knockoutMatch, type Knockout } from '../db/schema';
import { getLeaderboard } from '../boards/leaderboard';
import { bracketSlots, firstRound, freezeAt, nextPlace, roundCount } from '../../contest/knockout';
import { awardFrozenWin } from '../badges/counted';
import { publishAwardChanges, type AwardChanges } from '../badges/awards';
import { systemClock, type Clock } from '../shared/clock';
import { bracketOf, planOf, seasonOf } from './bracket';

// The scheduler's knockout work: seed a knockout when it starts, and freeze each round once its
// grace period is over (which fills the next round). Each step is written in one transaction,
// only from the state it was read in (status 'scheduled', roundsFrozen = r), so a second run,
// another process or a restart does nothing twice. The step that freezes the final gives the
// winner (a person, or each member of the winning team) their "knockouts won" badges. A
// cancelled knockout is left alone.

/** Seeds and freezes what is due; returns the seasons whose knockouts changed. */
export function advanceKnockouts(db: Db, clock: Clock = systemClock): number[] {
	const now = clock();
	const due = db
		.select({ id: knockout.id })
		.from(knockout)
		.where(and(inArray(knockout.status, ['scheduled', 'live']), lte(knockout.startsAt, now)))
		.all();
	const changed = new Set<number>();
	for (const { id } of due) {
		// One step per transaction: seeding, then each round in turn.
		for (let step = 0; step < 10; step++) {
			const done = db.transaction((tx) => advanceOne(tx, id, now), { behavior: 'immediate' });
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

/** One step of one knockout; its season (and badges) when something changed, else null. */
function advanceOne(tx: Queryable, id: number, now: number): Step | null {
	const k = tx.select().from(knockout).where(eq(knockout.id, id)).get();
	if (!k || k.status === 'final' || k.status === 'cancelled' || k.startsAt > now) return null;
	const s = seasonOf(tx, k.seasonId);
	if (!s) return null;
	if (k.status === 'scheduled') {
		const seeded = seed(tx, k, now);
		return seeded === null ? null : { seasonId: seeded };
	}
	const r = k.roundsFrozen;
	// Whether a round is due follows from the plan alone: asked before the bracket, whose sums
	// read the entrants' ledger (~260 ms on the event loop at 200,000 sales, on every tick of
	// the scheduler while a round runs; docs/benchmarks.md, "A restart on a large season").
	if (now < freezeAt(planOf(k, s), r)) return null;
	const bracket = bracketOf(tx, k, s, now, r);
	if (!bracket || r >= bracket.rounds.length) return null;
	const claimed = tx
		.update(knockout)
		.set({ roundsFrozen: r + 1 })
		.where(and(eq(knockout.id, k.id), eq(knockout.roundsFrozen, r)))
		.run().changes;
	if (claimed === 0) return null;
	const last = r === bracket.rounds.length - 1;
	for (const match of bracket.rounds[r]) {
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
		if (last || match.winnerId === null) continue;
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
	if (!last) return { seasonId: k.seasonId };
	const winnerId = bracket.rounds[r][0].winnerId;
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
