import { eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db';
import { season, standing, type SubjectType } from '../db/schema';
import { literal, prepared } from '../db/prepared';
import { markStandingMoved } from '../realtime/changed';

export interface StandingDelta {
	confirmed: number;
	provisional: number;
	sales: number;
}

// Hot path (every ledger entry): one statement moves the person's and the team's totals,
// prepared once per connection.
const subjectRow = (subjectType: SubjectType, subjectId: string) => ({
	seasonId: sql.placeholder('seasonId'),
	subjectType: literal(subjectType),
	subjectId: sql.placeholder(subjectId),
	confirmedPoints: sql.placeholder('confirmed'),
	provisionalPoints: sql.placeholder('provisional'),
	salesCount: sql.placeholder('sales'),
	reachedAt: sql.placeholder('now'),
	updatedAt: sql.placeholder('now')
});
const upsert = (db: Queryable, rows: ReturnType<typeof subjectRow>[]) =>
	db
		.insert(standing)
		.values(rows)
		.onConflictDoUpdate({
			target: [standing.seasonId, standing.subjectType, standing.subjectId],
			set: {
				confirmedPoints: sql`${standing.confirmedPoints} + excluded.confirmed_points`,
				provisionalPoints: sql`${standing.provisionalPoints} + excluded.provisional_points`,
				salesCount: sql`${standing.salesCount} + excluded.sales_count`,
				reachedAt: sql`CASE WHEN ${sql.placeholder('scoreChanged')} THEN excluded.reached_at ELSE ${standing.reachedAt} END`,
				updatedAt: sql`excluded.updated_at`
			}
		})
		.prepare();
const upsertStandings = (db: Queryable) =>
	upsert(db, [subjectRow('user', 'userId'), subjectRow('team', 'teamId')]);
const upsertUserStanding = (db: Queryable) => upsert(db, [subjectRow('user', 'userId')]);
const upsertTeamStanding = (db: Queryable) => upsert(db, [subjectRow('team', 'teamId')]);

/**
 * Adds a ledger change to the running totals of the person and of the team it was earned for;
 * call inside the ledger's transaction.
 */
export function applyStandingDelta(
	tx: Queryable,
	entry: { seasonId: number; userId: number; teamId: number },
	delta: StandingDelta,
	now: number,
	// A batch's summed delta can net to zero although its sales moved the score.
	scoreChanged = delta.confirmed !== 0 || delta.provisional !== 0
): void {
	prepared(tx, upsertStandings).run({
		seasonId: entry.seasonId,
		userId: entry.userId,
		teamId: entry.teamId,
		confirmed: delta.confirmed,
		provisional: delta.provisional,
		sales: delta.sales,
		now,
		scoreChanged: scoreChanged ? 1 : 0
	});
	// The pushes and the rank counts held in memory (boards/ranking-points.ts) learn who moved
	// from this mark: the latter trust that every change of a person's points is marked here.
	if (scoreChanged || delta.confirmed !== 0 || delta.provisional !== 0)
		markStandingMoved(entry.seasonId, entry.userId);
}

/**
 * applyStandingDelta for the person alone or the team alone: a WriteBatch sums its team's
 * deltas over all of the batch's people and moves each team once.
 */
export function applySubjectDelta(
	tx: Queryable,
	subject: { seasonId: number; userId: number } | { seasonId: number; teamId: number },
	delta: StandingDelta,
	now: number,
	scoreChanged: boolean
): void {
	const values = {
		...subject,
		confirmed: delta.confirmed,
		provisional: delta.provisional,
		sales: delta.sales,
		now,
		scoreChanged: scoreChanged ? 1 : 0
	};
	if ('userId' in subject) {
		prepared(tx, upsertUserStanding).run(values);
		// As applyStandingDelta: every change of a person's points is marked.
		if (scoreChanged || delta.confirmed !== 0 || delta.provisional !== 0)
			markStandingMoved(subject.seasonId, subject.userId);
	} else prepared(tx, upsertTeamStanding).run(values);
}

const nextVersion = (db: Queryable) =>
	db
		.update(season)
		.set({ version: sql`${season.version} + 1` })
		.where(eq(season.id, sql.placeholder('seasonId')))
		.returning({ version: season.version })
		.prepare();

/** Bumps the season's leaderboard version; returns the new one. */
export function bumpVersion(tx: Queryable, seasonId: number): number {
	return prepared(tx, nextVersion).get({ seasonId })!.version;
}
