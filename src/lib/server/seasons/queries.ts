import { and, asc, desc, eq, gt, isNull, or, sql } from 'drizzle-orm';
import type { Queryable } from '../db';
import {
	product,
	season,
	seasonMember,
	seasonResult,
	seasonTransition,
	team,
	user,
	type SeasonStatus
} from '../db/schema';
import type { CatalogueItem } from '../../contest/types';
import { DAY_MS } from '../../contest/calendar';
import { m } from '../../paraglide/messages.js';

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

export function listConsoleSeasons(db: Queryable) {
	const counts = new Map(
		db
			.select({ seasonId: seasonMember.seasonId, members: sql<number>`count(*)` })
			.from(seasonMember)
			.groupBy(seasonMember.seasonId)
			.all()
			.map((r) => [r.seasonId, r.members])
	);
	const teams = new Map(
		db
			.select({ seasonId: team.seasonId, teams: sql<number>`count(*)` })
			.from(team)
			.groupBy(team.seasonId)
			.all()
			.map((r) => [r.seasonId, r.teams])
	);
	return db
		.select()
		.from(season)
		.orderBy(desc(season.startsAt), desc(season.id))
		.all()
		.map((s) => ({ ...s, members: counts.get(s.id) ?? 0, teams: teams.get(s.id) ?? 0 }));
}

/** The transitions a season went through, oldest first, with who made them. */
export function seasonHistory(db: Queryable, seasonId: number) {
	const rows = db
		.select({
			toStatus: seasonTransition.toStatus,
			at: seasonTransition.at,
			by: seasonTransition.by,
			name: user.displayName
		})
		.from(seasonTransition)
		.leftJoin(user, sql`${user.id} = cast(${seasonTransition.by} as integer)`)
		.where(eq(seasonTransition.seasonId, seasonId))
		.orderBy(asc(seasonTransition.at), asc(seasonTransition.id))
		.all();
	return rows.map((r) => ({
		toStatus: r.toStatus,
		at: r.at,
		by: r.by === 'scheduler' ? m.seasons_by_scheduler() : (r.name ?? r.by)
	}));
}

/** Every season, most recent start first; only those with `status` when it is given. */
export function listSeasons(db: Queryable, status?: SeasonStatus) {
	return db
		.select()
		.from(season)
		.where(status ? eq(season.status, status) : undefined)
		.orderBy(desc(season.startsAt), desc(season.id))
		.all();
}

/** A season's frozen results, best rank first. */
export function listResults(db: Queryable, seasonId: number) {
	return db
		.select()
		.from(seasonResult)
		.where(eq(seasonResult.seasonId, seasonId))
		.orderBy(asc(seasonResult.rank), asc(seasonResult.name))
		.all();
}

/** A season's teams and people, for the sample board of its preview. */
export function listCast(db: Queryable, seasonId: number) {
	const teams = db
		.select({ id: team.id, name: team.name, emoji: team.emoji, color: team.color })
		.from(team)
		.where(eq(team.seasonId, seasonId))
		.orderBy(asc(team.id))
		.all();
	const people = db
		.select({ id: user.id, name: user.displayName, teamId: seasonMember.teamId })
		.from(seasonMember)
		.innerJoin(user, eq(user.id, seasonMember.userId))
		.where(eq(seasonMember.seasonId, seasonId))
		.orderBy(asc(user.displayName))
		.all();
	return { teams, people };
}
