import { eq, sql } from 'drizzle-orm';
import type { Db } from './db';
import { season, standing, type SubjectType } from './db/schema';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface StandingDelta {
	confirmed: number;
	provisional: number;
	sales: number;
}

/** Adds a ledger change to a subject's running totals; call inside the ledger's transaction. */
export function applyStandingDelta(
	tx: Tx,
	seasonId: number,
	subjectType: SubjectType,
	subjectId: number,
	delta: StandingDelta,
	now: number
): void {
	const scoreChanged = delta.confirmed !== 0 || delta.provisional !== 0;
	tx.insert(standing)
		.values({
			seasonId,
			subjectType,
			subjectId,
			confirmedPoints: delta.confirmed,
			provisionalPoints: delta.provisional,
			salesCount: delta.sales,
			reachedAt: now,
			updatedAt: now
		})
		.onConflictDoUpdate({
			target: [standing.seasonId, standing.subjectType, standing.subjectId],
			set: {
				confirmedPoints: sql`${standing.confirmedPoints} + ${delta.confirmed}`,
				provisionalPoints: sql`${standing.provisionalPoints} + ${delta.provisional}`,
				salesCount: sql`${standing.salesCount} + ${delta.sales}`,
				reachedAt: scoreChanged ? now : sql`${standing.reachedAt}`,
				updatedAt: now
			}
		})
		.run();
}

/** Bumps the season's leaderboard version; returns the new one. */
export function bumpVersion(tx: Tx, seasonId: number): number {
	const row = tx
		.update(season)
		.set({ version: sql`${season.version} + 1` })
		.where(eq(season.id, seasonId))
		.returning({ version: season.version })
		.get();
	return row!.version;
}

export type { Tx };
