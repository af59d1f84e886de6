import { and, desc, eq, ne } from 'drizzle-orm';
import type { Store } from '../db/store';

// The season's latest badges as the TV shows them, read through the store (db/store.ts) on
// either dialect. The badges' engine (badges/) writes them; this only reads.

/** The season's latest awards with their badge, newest first; a withdrawn one is not shown. */
export async function readRecentAwards(store: Store, seasonId: number, limit = 10) {
	const { award, badge } = store.tables;
	return store.db
		.select({
			id: award.id,
			subjectType: award.subjectType,
			subjectId: award.subjectId,
			earnedAt: award.earnedAt,
			badge
		})
		.from(award)
		.innerJoin(badge, eq(badge.id, award.badgeId))
		.where(and(eq(award.seasonId, seasonId), ne(award.status, 'void')))
		.orderBy(desc(award.createdAt), desc(award.id))
		.limit(limit);
}
