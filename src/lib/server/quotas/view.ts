import { and, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db';
import { quota, season } from '../db/schema';
import type { FormatView } from '../formats/views';
import { FAIR_VIEW_TOP, type QuotasView } from '../../contest/quota';
import { attainmentTop, improvedTop, lastSeasonIdOf, teamAttainment } from './ranking';

/**
 * The fair orders of a season's board: the top by % of target, the most improved against last
 * season, the teams by % of target. Null (nothing to read) when the season has no quota and
 * follows no season.
 */
export function buildQuotasView(db: Queryable, seasonId: number, now: number): QuotasView | null {
	const s = db.select().from(season).where(eq(season.id, seasonId)).get();
	if (!s) return null;
	const hasQuota = db
		.select({ one: sql<number>`1` })
		.from(quota)
		.where(and(eq(quota.seasonId, seasonId)))
		.limit(1)
		.get();
	const lastId = lastSeasonIdOf(db, s);
	if (!hasQuota && lastId === null) return null;
	return {
		attainment: attainmentTop(db, s, FAIR_VIEW_TOP),
		improved: lastId === null ? null : improvedTop(db, s, lastId, now, FAIR_VIEW_TOP),
		teams: teamAttainment(db, s)
	};
}

export const quotasView: FormatView = { name: 'quotas', build: buildQuotasView };
