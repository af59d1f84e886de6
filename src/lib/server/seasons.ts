import { and, asc, desc, eq } from 'drizzle-orm';
import type { Queryable } from './db';
import { product, season, seasonMember, team } from './db/schema';
import type { CatalogueItem } from '../contest/types';

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
