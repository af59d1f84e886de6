import { and, eq, notInArray } from 'drizzle-orm';
import type { Queryable } from '../db';
import type { Sprint, SprintStatus } from '../db/schema';
import { write, type Store, type StoreDb, type Tables } from '../db/store';
import { offLoopReader } from '../db/dialect';
import { readsSync, type Reads } from '../db/reads';
import { periodCrossingsReads, periodTotalsReads, readPeriodCrossings } from '../formats/measure';
import { parseMeasure, valueOf, type Counting } from '../../contest/measure';
import {
	type Crossing,
	firstToCross,
	searchWindow,
	sprintPhase,
	type SprintPhase
} from '../../contest/sprint';
import { DAY_MS } from '../../contest/calendar';
import { publishAwardChanges, type AwardChanges } from '../badges/awards';
import { awardFrozenWinInWrite } from '../badges/counted';
import { systemClock, type Clock } from '../shared/clock';

// Deciding a sprint from the ledger: every subject's measure since the start, and for those at
// the target, the instant their measure crossed it. Run by the scheduler (advanceSprints) and by
// the board's view, so the card shows a winner the moment a sale crosses the line. The view
// reads its outcome with `sprintOutcomeReads` (one body, run synchronously in a push and on the
// store by pages and the read thread); the scheduler decides through the store
// (`readSprintDecision`, `advanceSprints`).

export interface SprintSeason {
	rankBy: Counting;
	graceDays: number;
}

export interface SprintOutcome {
	/** Where the race stands; a cancelled sprint stays cancelled. */
	phase: SprintPhase | 'cancelled';
	winner: Crossing | null;
	/** Each subject's measure within the sprint (up to the winner's crossing, or now). */
	values: Map<number, number>;
}

export type SprintRace = Pick<
	Sprint,
	'seasonId' | 'subject' | 'measure' | 'target' | 'startsAt' | 'endsAt' | 'status'
>;

/** Up to this many people at the target, their crossings are read person by person. */
const FEW_REACHED = 50;

/**
 * A sprint's outcome at `now`: where it stands, its winner, and everyone's values. One body for
 * the push's synchronous build (`readsSync`) and the store's reads (db/reads.ts).
 */
export function* sprintOutcomeReads(
	db: StoreDb,
	t: Tables,
	row: SprintRace,
	s: SprintSeason,
	now: number
): Reads<SprintOutcome> {
	const measure = parseMeasure(row.measure);
	if (!measure || row.status === 'cancelled')
		return { phase: row.status, winner: null, values: new Map() };
	const [from, to] = searchWindow(row, now);
	const query = { seasonId: row.seasonId, subject: row.subject, measure, from };
	const values = new Map<number, number>();
	if (to <= from)
		return { phase: sprintPhase(row, null, now, s.graceDays * DAY_MS), winner: null, values };
	for (const [id, total] of yield* periodTotalsReads(db, t, { ...query, to }))
		values.set(id, valueOf(total, s.rankBy));
	// Those at the target by now: when each got there, from their entries read once in time order.
	const reached = [...values].filter(([, value]) => value >= row.target).map(([id]) => id);
	// A few people are read person by person (their whole season's entries, by index); more,
	// and reading the period once costs less (at 200,000 sales, 507 people past the target:
	// 375 ms person by person, 180 ms the period once; docs/benchmarks.md, "bench:formats").
	const ids = reached.length <= FEW_REACHED ? reached : undefined;
	const crossings =
		reached.length > 0
			? yield* periodCrossingsReads(db, t, { ...query, to, ids }, row.target, s.rankBy)
			: [];
	const winner = firstToCross(crossings);
	if (winner) {
		// The race stopped at the winner: the others' bars show where they stood then.
		const atWinner = yield* periodTotalsReads(db, t, { ...query, to: winner.reachedAt + 1 });
		for (const id of values.keys()) values.set(id, valueOf(atWinner.get(id), s.rankBy));
	}
	return { phase: sprintPhase(row, winner, now, s.graceDays * DAY_MS), winner, values };
}

/** sprintOutcomeReads on a SQLite connection, synchronously. */
export function decideSprint(
	db: Queryable,
	row: SprintRace,
	s: SprintSeason,
	now: number
): SprintOutcome {
	return readsSync(db, (d, t) => sprintOutcomeReads(d, t, row, s, now));
}

/** Sprints the scheduler no longer moves: frozen, or cancelled by a manager. */
const CLOSED: SprintStatus[] = ['final', 'cancelled'];

/** What the scheduler decided of one unfinished sprint, and from what (readSprintDecision). */
export interface SprintDecision {
	row: SprintRace;
	season: SprintSeason;
	phase: SprintOutcome['phase'];
	winner: Crossing | null;
}

/**
 * The scheduler's decision of one sprint at `now`, the winner alone (the crossings read in SQL
 * both dialects speak, `readPeriodCrossings`): null when it is gone or closed. The read thread's
 * too, on SQLite.
 */
export async function readSprintDecision(
	db: StoreDb,
	tables: Tables,
	id: number,
	now: number
): Promise<SprintDecision | null> {
	const { season, sprint } = tables;
	const [row] = await db.select().from(sprint).where(eq(sprint.id, id));
	if (!row || CLOSED.includes(row.status)) return null;
	const [s] = await db
		.select({ rankBy: season.rankBy, graceDays: season.graceDays })
		.from(season)
		.where(eq(season.id, row.seasonId));
	if (!s) return null;
	const race = raceOf(row);
	return { row: race, season: s, ...(await readSprintWinner(db, tables, race, s, now)) };
}

/** decideSprint's winner and phase alone (no values), on the store. */
export async function readSprintWinner(
	db: StoreDb,
	tables: Tables,
	race: SprintRace,
	s: SprintSeason,
	now: number
): Promise<Pick<SprintDecision, 'phase' | 'winner'>> {
	const measure = parseMeasure(race.measure);
	if (!measure || race.status === 'cancelled') return { phase: race.status, winner: null };
	const [from, to] = searchWindow(race, now);
	const grace = s.graceDays * DAY_MS;
	if (to <= from) return { phase: sprintPhase(race, null, now, grace), winner: null };
	const query = { seasonId: race.seasonId, subject: race.subject, measure, from, to };
	const winner = firstToCross(await readPeriodCrossings(db, tables, query, race.target, s.rankBy));
	return { phase: sprintPhase(race, winner, now, grace), winner };
}

function raceOf(row: SprintRace): SprintRace {
	return {
		seasonId: row.seasonId,
		subject: row.subject,
		measure: row.measure,
		target: row.target,
		startsAt: row.startsAt,
		endsAt: row.endsAt,
		status: row.status
	};
}

/** Whether a sprint and its season are still what a decision was made from. */
function sameRace(decided: SprintDecision, row: SprintRace, s: SprintSeason): boolean {
	const keys = Object.keys(decided.row) as (keyof SprintRace)[];
	return (
		keys.every((key) => decided.row[key] === row[key]) &&
		decided.season.rankBy === s.rankBy &&
		decided.season.graceDays === s.graceDays
	);
}

/** Where a sprint's decision is read when not through the store: the read thread (SQLite). */
export interface SprintReader {
	decideSprint(id: number, now: number): Promise<SprintDecision | null>;
}

/**
 * Moves every unfinished sprint to where it stands: live at its start, won or expired at its
 * end, and final (frozen) once the season's grace period after that end is over, when the win
 * gives the winner (a person, or each member of the winning team) their "sprints won" badges in
 * the same write. A cancelled sprint is left alone. Returns the seasons whose sprints changed.
 *
 * Each sprint is decided first, by the read thread on SQLite when one runs (a live sprint at
 * 200,000 sales is a ~200 ms read, off the event loop there), else through the store; then one
 * write per sprint checks that the sprint and its season are still what the decision was read
 * from (a manager's edit in between, and this sprint waits for the next run) and moves it by an
 * update guarded by its old status with `returning`: of two nodes moving one sprint, one gets
 * the row and the other none (on PostgreSQL the loser's write runs again and finds it moved). A
 * decision read a moment ago is the decision of that moment: the next run (30 s) decides again.
 */
export async function advanceSprints(
	store: Store,
	clock: Clock = systemClock,
	reader?: SprintReader
): Promise<number[]> {
	const now = clock();
	const { sprint } = store.tables;
	const changed = new Set<number>();
	const open = await store.db
		.select({ id: sprint.id })
		.from(sprint)
		.where(notInArray(sprint.status, CLOSED));
	// The read thread reads SQLite's file: on PostgreSQL the pool is the read path.
	const thread = offLoopReader(store, reader);
	for (const { id } of open) {
		const decided = thread
			? await thread.decideSprint(id, now)
			: await readSprintDecision(store.db, store.tables, id, now);
		if (!decided) continue;
		const written = await write(store, (tx) => writeDecisionInWrite(tx, store, id, decided, now));
		if (!written) continue;
		changed.add(written.seasonId);
		if (written.badges) publishAwardChanges(written.seasonId, written.badges);
	}
	return [...changed];
}

/**
 * Writes a decision when it changes the sprint (from the status it was decided in), with the
 * winner's badges when it freezes a win (published by the caller once committed). Returns the
 * sprint's season when the sprint changed.
 */
async function writeDecisionInWrite(
	tx: StoreDb,
	store: Store,
	id: number,
	decided: SprintDecision,
	now: number
): Promise<{ seasonId: number; badges: AwardChanges | undefined } | undefined> {
	const { season, sprint } = store.tables;
	const [current] = await tx.select().from(sprint).where(eq(sprint.id, id));
	if (!current) return undefined;
	const [s] = await tx
		.select({ rankBy: season.rankBy, graceDays: season.graceDays })
		.from(season)
		.where(eq(season.id, current.seasonId));
	if (!s || !sameRace(decided, current, s)) return undefined;
	const { row, phase, winner } = decided;
	const next = {
		status: phase,
		winnerId: winner?.id ?? null,
		reachedAt: winner?.reachedAt ?? null,
		finalizedAt: phase === 'final' ? now : null
	};
	if (
		next.status === row.status &&
		next.winnerId === current.winnerId &&
		next.reachedAt === current.reachedAt
	)
		return undefined;
	const [moved] = await tx
		.update(sprint)
		.set(next)
		.where(and(eq(sprint.id, id), eq(sprint.status, row.status)))
		.returning({ id: sprint.id });
	if (!moved) return undefined;
	const badges =
		phase === 'final' && winner
			? await awardFrozenWinInWrite(tx, store, 'sprints_won', { ...row, id }, winner.id, now)
			: undefined;
	return { seasonId: row.seasonId, badges };
}
