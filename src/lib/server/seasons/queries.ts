import { and, asc, desc, eq, gt, isNull, or, sql } from 'drizzle-orm';
import type { Queryable } from '../db';
import { product, season, seasonMember, team } from '../db/schema';
import type { CatalogueItem } from '../../contest/types';
import { DAY_MS } from '../../contest/calendar';

export function getSeason(db: Queryable, id: number) {
	return db.select().from(season).where(eq(season.id, id)).get();
}

/** "The" live season: the most recently started one (parallel contests are a later feature). */
export function getCurrentSeason(db: Queryable) {
	return db
		.select()
		.from(season)
		.where(eq(season.status, 'live'))
		.orderBy(desc(season.startsAt), desc(season.id))
		.get();
}

/** graceEndsAt as SQL, for queries that pick seasons by it. */
export const graceEndSql = sql<number>`(${season.endsAt} + ${season.graceDays} * ${DAY_MS})`;

/**
 * The seasons whose sales a manager may still confirm or reject: the live ones and the ended
 * ones whose grace period is still running (results not final yet). Live first, then the most
 * recently ended.
 * Note: mirrors the scheduler, which archives an ended season at `endsAt + graceDays`.
 */
export function listReviewableSeasons(db: Queryable, now: number) {
	return db
		.select()
		.from(season)
		.where(
			or(
				eq(season.status, 'live'),
				and(eq(season.status, 'ended'), isNull(season.finalizedAt), gt(graceEndSql, now))
			)
		)
		.orderBy(sql`${season.status} = 'live' desc`, desc(season.endsAt), desc(season.id))
		.all();
}

/**
 * The season the review queue is about: the one asked for when it is still reviewable, else
 * the current live season, else the most recently ended one still in its grace period.
 */
export function getReviewSeason(db: Queryable, now: number, askedId?: number) {
	const open = listReviewableSeasons(db, now);
	const current = getCurrentSeason(db);
	return {
		seasons: open,
		season: open.find((s) => s.id === askedId) ?? open.find((s) => s.id === current?.id) ?? open[0]
	};
}

/** The live season a person takes part in, if any. */
export function getLiveSeasonFor(db: Queryable, userId: number) {
	return db
		.select({ season })
		.from(season)
		.innerJoin(seasonMember, eq(seasonMember.seasonId, season.id))
		.where(and(eq(season.status, 'live'), eq(seasonMember.userId, userId)))
		.orderBy(desc(season.startsAt), desc(season.id))
		.get()?.season;
}

export function getMembership(db: Queryable, seasonId: number, userId: number) {
	return db
		.select({ teamId: team.id, teamName: team.name, teamEmoji: team.emoji, teamColor: team.color })
		.from(seasonMember)
		.innerJoin(team, eq(team.id, seasonMember.teamId))
		.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, userId)))
		.get();
}

export function listProducts(db: Queryable, seasonId: number) {
	return db
		.select()
		.from(product)
		.where(eq(product.seasonId, seasonId))
		.orderBy(asc(product.category), asc(product.name))
		.all();
}

export function catalogueOf(products: ReturnType<typeof listProducts>): Map<string, CatalogueItem> {
	return new Map(products.map((p) => [p.sku, p]));
}
