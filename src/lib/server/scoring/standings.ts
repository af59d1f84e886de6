import type { Db, Queryable } from '../db';
import type { SubjectType } from '../db/schema';
import { statement } from '../db/statements';

export interface StandingDelta {
	confirmed: number;
	provisional: number;
	sales: number;
}

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
	// Hot path (every ledger entry, twice): a cached statement instead of Drizzle's builder.
	statement(
		tx,
		`INSERT INTO standing (season_id, subject_type, subject_id, confirmed_points, provisional_points, sales_count, reached_at, updated_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		 ON CONFLICT (season_id, subject_type, subject_id) DO UPDATE SET
		   confirmed_points = confirmed_points + excluded.confirmed_points,
		   provisional_points = provisional_points + excluded.provisional_points,
		   sales_count = sales_count + excluded.sales_count,
		   reached_at = CASE WHEN ? THEN excluded.reached_at ELSE reached_at END,
		   updated_at = excluded.updated_at`
	).run(
		seasonId,
		subjectType,
		subjectId,
		delta.confirmed,
		delta.provisional,
		delta.sales,
		now,
		now,
		scoreChanged ? 1 : 0
	);
}

/** Bumps the season's leaderboard version; returns the new one. */
export function bumpVersion(tx: Queryable, seasonId: number): number {
	const row = statement(
		tx,
		'UPDATE season SET version = version + 1 WHERE id = ? RETURNING version'
	).get(seasonId) as { version: number } | undefined;
	return row!.version;
}
