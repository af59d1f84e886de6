import { eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db';
import type { StoreDb, Tables } from '../db/store';
import { readOn, readsSync, rowsOf, type Reads } from '../db/reads';
import type { FormatView } from '../formats/views';
import { FAIR_VIEW_TOP, type QuotasView } from '../../contest/quota';
import { attainmentTop, improvedTop, lastSeasonIdOf, teamAttainment } from './ranking';

/**
 * The fair orders of a season's board: the top by % of target, the most improved against last
 * season, the teams by % of target. Null (nothing to read) when the season has no quota and
 * follows no season.
 */
function* quotasViewReads(
	db: StoreDb,
	t: Tables,
	seasonId: number,
	now: number
): Reads<QuotasView | null> {
	const { season, quota } = t;
	const [s] = yield* rowsOf(db.select().from(season).where(eq(season.id, seasonId)));
	if (!s) return null;
	const [hasQuota] = yield* rowsOf(
		db
			.select({ one: sql<number>`1` })
			.from(quota)
			.where(eq(quota.seasonId, seasonId))
			.limit(1)
	);
	const lastId = yield* lastSeasonIdOf(db, t, s);
	if (!hasQuota && lastId === null) return null;
	return {
		attainment: yield* attainmentTop(db, t, s, FAIR_VIEW_TOP),
		improved: lastId === null ? null : yield* improvedTop(db, t, s, lastId, now, FAIR_VIEW_TOP),
		teams: yield* teamAttainment(db, t, s)
	};
}

/** The quotas' view on a SQLite connection, synchronously (the boards' pushes, the read thread). */
export function buildQuotasView(db: Queryable, seasonId: number, now: number): QuotasView | null {
	return readsSync(db, (d, t) => quotasViewReads(d, t, seasonId, now));
}

export const quotasView: FormatView = {
	name: 'quotas',
	build: buildQuotasView,
	read: (store, seasonId, now) => readOn(store, (d, t) => quotasViewReads(d, t, seasonId, now))
};
