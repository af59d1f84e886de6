import { eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db';
import { season, standing, type SubjectType } from '../db/schema';
import { prepared } from '../db/prepared';

export interface StandingDelta {
	confirmed: number;
	provisional: number;
	sales: number;
}

// Hot path (every ledger entry, twice): prepared once per connection.
const upsertStanding = (db: Queryable) =>
	db
		.insert(standing)
		.values({
			seasonId: sql.placeholder('seasonId'),
			subjectType: sql.placeholder('subjectType'),
			subjectId: sql.placeholder('subjectId'),
			confirmedPoints: sql.placeholder('confirmed'),
			provisionalPoints: sql.placeholder('provisional'),
			salesCount: sql.placeholder('sales'),
			reachedAt: sql.placeholder('now'),
			updatedAt: sql.placeholder('now')
		})
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

/** Adds a ledger change to a subject's running totals; call inside the ledger's transaction. */
export function applyStandingDelta(
	tx: Queryable,
	seasonId: number,
	subjectType: SubjectType,
	subjectId: number,
	delta: StandingDelta,
	now: number
): void {
	const scoreChanged = delta.confirmed !== 0 || delta.provisional !== 0;
	prepared(tx, upsertStanding).run({
		seasonId,
		subjectType,
		subjectId,
		confirmed: delta.confirmed,
		provisional: delta.provisional,
		sales: delta.sales,
		now,
		scoreChanged: scoreChanged ? 1 : 0
	});
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
