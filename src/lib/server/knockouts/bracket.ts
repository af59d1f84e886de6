import { asc, eq } from 'drizzle-orm';
import type { Queryable } from '../db';
import { knockout, knockoutMatch, season, type Knockout } from '../db/schema';
import { periodTotals } from '../formats/measure';
import { parseMeasure, valueOf, type Counting } from '../../contest/measure';
import {
	bracketSlots,
	resolveBracket,
	roundCount,
	roundWindow,
	roundsStartedAt,
	type ResolvedMatch,
	type RoundPlan
} from '../../contest/knockout';

// A knockout's bracket as it stands, read from its stored pairings and the ledger: shared by the
// scheduler (which freezes what it says for a round) and the views.

export interface BracketSeason {
	rankBy: Counting;
	timeZone: string;
}

export function seasonOf(db: Queryable, seasonId: number): BracketSeason | undefined {
	return db
		.select({ rankBy: season.rankBy, timeZone: season.timeZone })
		.from(season)
		.where(eq(season.id, seasonId))
		.get();
}

export const planOf = (k: Knockout, s: BracketSeason): RoundPlan & { graceHours: number } => ({
	startsAt: k.startsAt,
	roundLength: k.roundLength,
	roundUnit: k.roundUnit,
	timeZone: s.timeZone,
	graceHours: k.graceHours
});

export interface Bracket {
	rounds: ResolvedMatch[][];
	/** Each round's period [start, end). */
	windows: [number, number][];
	roundsStarted: number;
}

/**
 * The bracket at `now`, values counted up to `upToRound` (inclusive; all started rounds when
 * left out). Null before the knockout is seeded.
 */
export function bracketOf(
	db: Queryable,
	k: Knockout,
	s: BracketSeason,
	now: number,
	upToRound?: number
): Bracket | null {
	if (k.seededAt === null) return null;
	const stored = db
		.select()
		.from(knockoutMatch)
		.where(eq(knockoutMatch.knockoutId, k.id))
		.orderBy(asc(knockoutMatch.round), asc(knockoutMatch.slot))
		.all();
	const entrants = stored.filter((m) => m.round === 0).flatMap((m) => [m.aId, m.bId]);
	const ids = entrants.filter((id): id is number => id !== null);
	const rounds = roundCount(bracketSlots(ids.length));
	const plan = planOf(k, s);
	const windows = Array.from({ length: rounds }, (_, r) => roundWindow(plan, r));
	let roundsStarted = roundsStartedAt(plan, rounds, now);
	if (upToRound !== undefined) roundsStarted = Math.min(roundsStarted, upToRound + 1);
	const measure = parseMeasure(k.measure);
	const totals = new Map<number, Map<number, number>>();
	const valueIn = (round: number, id: number): number => {
		if (!measure) return 0;
		let values = totals.get(round);
		if (!values) {
			const [from, to] = windows[round];
			const sums = periodTotals(db, {
				seasonId: k.seasonId,
				subject: k.subject,
				from,
				to,
				measure,
				ids
			});
			values = new Map([...sums].map(([sid, total]) => [sid, valueOf(total, s.rankBy)]));
			totals.set(round, values);
		}
		return values.get(id) ?? 0;
	};
	return {
		rounds: resolveBracket(stored, rounds, k.roundsFrozen, roundsStarted, valueIn),
		windows,
		roundsStarted
	};
}

export function getKnockout(db: Queryable, id: number): Knockout | undefined {
	return db.select().from(knockout).where(eq(knockout.id, id)).get();
}
