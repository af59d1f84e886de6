import { asc, eq } from 'drizzle-orm';
import type { Knockout } from '../db/schema';
import type { StoreDb, Tables } from '../db/store';
import { readsWith, rowsOf, type Reads } from '../db/reads';
import { periodTotalsReads } from '../formats/measure';
import { parseMeasure, valueOf, type Counting, type Measure } from '../../contest/measure';
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
// scheduler (which freezes what it says for a round) and the views. One body each
// (`bracketSeasonReads`, `bracketReads`): the push runs it synchronously, the views' pages and
// the read thread on the store, the scheduler through `readBracketSeason` and `readBracket`.

export interface BracketSeason {
	rankBy: Counting;
	timeZone: string;
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
 * left out): each unfrozen round's sums read before resolving. Null before the knockout is
 * seeded. One body for the push's synchronous build and the store's reads (db/reads.ts).
 */
export function* bracketReads(
	db: StoreDb,
	t: Tables,
	k: Knockout,
	s: BracketSeason,
	now: number,
	upToRound?: number
): Reads<Bracket | null> {
	if (k.seededAt === null) return null;
	const { knockoutMatch } = t;
	const stored = yield* rowsOf(
		db
			.select()
			.from(knockoutMatch)
			.where(eq(knockoutMatch.knockoutId, k.id))
			.orderBy(asc(knockoutMatch.round), asc(knockoutMatch.slot))
	);
	const frame = frameOf(k, s, stored, now, upToRound);
	const totals = new Map<number, Map<number, number>>();
	// resolveBracket asks the values of the rounds started and not frozen only.
	if (frame.measure)
		for (let round = k.roundsFrozen; round < frame.roundsStarted; round++) {
			const sums = yield* periodTotalsReads(db, t, frame.query(round, frame.measure));
			totals.set(round, new Map([...sums].map(([sid, total]) => [sid, valueOf(total, s.rankBy)])));
		}
	return frame.resolve((round, id) => totals.get(round)?.get(id) ?? 0);
}

/** bracketReads on the store (db/store.ts): the scheduler's. */
export function readBracket(
	db: StoreDb,
	tables: Tables,
	k: Knockout,
	s: BracketSeason,
	now: number,
	upToRound?: number
): Promise<Bracket | null> {
	return readsWith(db, tables, (d, t) => bracketReads(d, t, k, s, now, upToRound));
}

type StoredMatch = Tables['knockoutMatch']['$inferSelect'];

/** What a bracket is resolved from: its plan, windows and rounds started. */
function frameOf(
	k: Knockout,
	s: BracketSeason,
	stored: StoredMatch[],
	now: number,
	upToRound: number | undefined
) {
	const entrants = stored.filter((m) => m.round === 0).flatMap((m) => [m.aId, m.bId]);
	const ids = entrants.filter((id): id is number => id !== null);
	const rounds = roundCount(bracketSlots(ids.length));
	const plan = planOf(k, s);
	const windows = Array.from({ length: rounds }, (_, r) => roundWindow(plan, r));
	let roundsStarted = roundsStartedAt(plan, rounds, now);
	if (upToRound !== undefined) roundsStarted = Math.min(roundsStarted, upToRound + 1);
	return {
		measure: parseMeasure(k.measure),
		roundsStarted,
		query: (round: number, measure: Measure) => ({
			seasonId: k.seasonId,
			subject: k.subject,
			from: windows[round][0],
			to: windows[round][1],
			measure,
			ids
		}),
		resolve: (valueIn: (round: number, id: number) => number): Bracket => ({
			rounds: resolveBracket(stored, rounds, k.roundsFrozen, roundsStarted, valueIn),
			windows,
			roundsStarted
		})
	};
}

/** The season's settings a bracket is read with. */
export function* bracketSeasonReads(
	db: StoreDb,
	t: Tables,
	seasonId: number
): Reads<BracketSeason | undefined> {
	const { season } = t;
	const [s] = yield* rowsOf(
		db
			.select({ rankBy: season.rankBy, timeZone: season.timeZone })
			.from(season)
			.where(eq(season.id, seasonId))
	);
	return s;
}

/** bracketSeasonReads on the store. */
export function readBracketSeason(
	db: StoreDb,
	tables: Tables,
	seasonId: number
): Promise<BracketSeason | undefined> {
	return readsWith(db, tables, (d, t) => bracketSeasonReads(d, t, seasonId));
}

/** A knockout by its id (the bracket page and the API). */
export async function readKnockout(
	db: StoreDb,
	tables: Tables,
	id: number
): Promise<Knockout | undefined> {
	const [k] = await db.select().from(tables.knockout).where(eq(tables.knockout.id, id));
	return k;
}
