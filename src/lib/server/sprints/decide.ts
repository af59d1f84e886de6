import { and, eq, notInArray } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import { season, sprint, type Sprint, type SprintStatus } from '../db/schema';
import { periodCrossings, periodTotals } from '../formats/measure';
import { parseMeasure, valueOf, type Counting } from '../../contest/measure';
import {
	type Crossing,
	firstToCross,
	searchWindow,
	sprintPhase,
	type SprintPhase
} from '../../contest/sprint';
import { DAY_MS } from '../../contest/calendar';
import { awardFrozenWin } from '../badges/counted';
import { publishAwardChanges, type AwardChanges } from '../badges/awards';
import { systemClock, type Clock } from '../shared/clock';

// Deciding a sprint from the ledger: every subject's measure since the start, and for those at
// the target, the instant their measure crossed it. Run by the scheduler (advanceSprints) and by
// the board's view, so the card shows a winner the moment a sale crosses the line.

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

export function decideSprint(
	db: Queryable,
	row: SprintRace,
	s: SprintSeason,
	now: number,
	/** false: the winner and the phase only, no values (what the scheduler needs). */
	barsAtWinner = true
): SprintOutcome {
	const measure = parseMeasure(row.measure);
	if (!measure || row.status === 'cancelled')
		return { phase: row.status, winner: null, values: new Map() };
	const [from, to] = searchWindow(row, now);
	const query = { seasonId: row.seasonId, subject: row.subject, measure, from };
	const values = new Map<number, number>();
	if (to <= from)
		return { phase: sprintPhase(row, null, now, s.graceDays * DAY_MS), winner: null, values };
	if (!barsAtWinner) {
		// The winner alone: one read of the period's entries in time order finds who got to the
		// target and when (those who did not are left out by the read itself).
		const winner = firstToCross(periodCrossings(db, { ...query, to }, row.target, s.rankBy));
		return { phase: sprintPhase(row, winner, now, s.graceDays * DAY_MS), winner, values };
	}
	for (const [id, total] of periodTotals(db, { ...query, to }))
		values.set(id, valueOf(total, s.rankBy));
	// Those at the target by now: when each got there, from their entries read once in time order.
	const reached = [...values].filter(([, value]) => value >= row.target).map(([id]) => id);
	// A few people are read person by person (their whole season's entries, by index); more,
	// and reading the period once costs less (at 200,000 sales, 507 people past the target:
	// 375 ms person by person, 180 ms the period once; docs/benchmarks.md, "bench:formats").
	const ids = reached.length <= FEW_REACHED ? reached : undefined;
	const crossings =
		reached.length > 0 ? periodCrossings(db, { ...query, to, ids }, row.target, s.rankBy) : [];
	const winner = firstToCross(crossings);
	if (winner) {
		// The race stopped at the winner: the others' bars show where they stood then.
		const atWinner = periodTotals(db, { ...query, to: winner.reachedAt + 1 });
		for (const id of values.keys()) values.set(id, valueOf(atWinner.get(id), s.rankBy));
	}
	return { phase: sprintPhase(row, winner, now, s.graceDays * DAY_MS), winner, values };
}

/** Sprints the scheduler no longer moves: frozen, or cancelled by a manager. */
const CLOSED: SprintStatus[] = ['final', 'cancelled'];

/** What the scheduler decided of one unfinished sprint, and from what (decideSprintOf). */
export interface SprintDecision {
	row: SprintRace;
	season: SprintSeason;
	phase: SprintOutcome['phase'];
	winner: Crossing | null;
}

/** The scheduler's decision of one sprint at `now`: null when it is gone or closed. */
export function decideSprintOf(db: Queryable, id: number, now: number): SprintDecision | null {
	const row = db.select().from(sprint).where(eq(sprint.id, id)).get();
	if (!row || CLOSED.includes(row.status)) return null;
	const s = db
		.select({ rankBy: season.rankBy, graceDays: season.graceDays })
		.from(season)
		.where(eq(season.id, row.seasonId))
		.get();
	if (!s) return null;
	const { phase, winner } = decideSprint(db, row, s, now, false);
	const race: SprintRace = {
		seasonId: row.seasonId,
		subject: row.subject,
		measure: row.measure,
		target: row.target,
		startsAt: row.startsAt,
		endsAt: row.endsAt,
		status: row.status
	};
	return { row: race, season: s, phase, winner };
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

/** The unfinished sprints, by id. */
function openSprints(db: Db): number[] {
	return db
		.select({ id: sprint.id })
		.from(sprint)
		.where(notInArray(sprint.status, CLOSED))
		.all()
		.map(({ id }) => id);
}

/**
 * Moves every unfinished sprint to where it stands: live at its start, won or expired at its
 * end, and final (frozen) once the season's grace period after that end is over, when the win
 * gives the winner (a person, or each member of the winning team) their "sprints won" badges in
 * the same transaction. Each change is written only from the state it was read in (a second
 * run, another process or a restart changes nothing more); a cancelled sprint is left alone.
 * Returns the seasons whose sprints changed.
 */
export function advanceSprints(db: Db, clock: Clock = systemClock): number[] {
	const now = clock();
	const changed = new Set<number>();
	for (const id of openSprints(db)) {
		// Decided and written in one transaction.
		const written = db.transaction(
			(tx) => {
				const decided = decideSprintOf(tx, id, now);
				return decided ? writeDecision(tx, id, decided, now) : undefined;
			},
			{ behavior: 'immediate' }
		);
		published(written, changed);
	}
	return [...changed];
}

/**
 * advanceSprints with each decision read by the read thread (reads/thread.ts), off the
 * event loop: only the write is done here, in a transaction that first checks that the sprint
 * and its season are still what the decision was read from (a manager's edit in between, and
 * this sprint waits for the next run). A decision read from a snapshot a moment old is the
 * decision of that moment: the next run (30 s) decides again from then.
 */
export async function advanceSprintsOffThread(
	db: Db,
	thread: { decideSprint(id: number, now: number): Promise<SprintDecision | null> },
	clock: Clock = systemClock
): Promise<number[]> {
	const now = clock();
	const changed = new Set<number>();
	for (const id of openSprints(db)) {
		const decided = await thread.decideSprint(id, now);
		if (!decided) continue;
		const written = db.transaction(
			(tx) => {
				const row = tx.select().from(sprint).where(eq(sprint.id, id)).get();
				const s = row
					? tx
							.select({ rankBy: season.rankBy, graceDays: season.graceDays })
							.from(season)
							.where(eq(season.id, row.seasonId))
							.get()
					: undefined;
				if (!row || !s || !sameRace(decided, row, s)) return undefined;
				return writeDecision(tx, id, decided, now);
			},
			{ behavior: 'immediate' }
		);
		published(written, changed);
	}
	return [...changed];
}

/**
 * Writes a decision when it changes the sprint (from the status it was decided in), with the
 * winner's badges when it freezes a win (published by the caller once committed). Returns the
 * sprint's season when the sprint changed.
 */
type Written = { seasonId: number; badges: AwardChanges | undefined };
function writeDecision(
	tx: Queryable,
	id: number,
	decided: SprintDecision,
	now: number
): Written | undefined {
	const { row, phase, winner } = decided;
	const current = tx
		.select({ winnerId: sprint.winnerId, reachedAt: sprint.reachedAt })
		.from(sprint)
		.where(eq(sprint.id, id))
		.get();
	const next = {
		status: phase,
		winnerId: winner?.id ?? null,
		reachedAt: winner?.reachedAt ?? null,
		finalizedAt: phase === 'final' ? now : null
	};
	if (
		!current ||
		(next.status === row.status &&
			next.winnerId === current.winnerId &&
			next.reachedAt === current.reachedAt)
	)
		return undefined;
	const written = tx
		.update(sprint)
		.set(next)
		.where(and(eq(sprint.id, id), eq(sprint.status, row.status)))
		.run().changes;
	if (written === 0) return undefined;
	const badges =
		phase === 'final' && winner
			? awardFrozenWin(tx, 'sprints_won', { ...row, id }, winner.id, now)
			: undefined;
	return { seasonId: row.seasonId, badges };
}

/** The sprint's season into `changed`, and the badges of a frozen win out, once committed. */
function published(written: Written | undefined, changed: Set<number>): void {
	if (!written) return;
	changed.add(written.seasonId);
	if (written.badges) publishAwardChanges(written.seasonId, written.badges);
}
