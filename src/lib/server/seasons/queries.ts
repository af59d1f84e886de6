import { and, asc, count, desc, eq, gt, isNull, or, sql, type Column } from 'drizzle-orm';
import type { product, Season, SeasonStatus } from '../db/schema';
import type { Store } from '../db/store';
import type { CatalogueItem } from '../../contest/types';
import { DAY_MS } from '../../contest/calendar';
import { m } from '../../paraglide/messages.js';

/** graceEndsAt as SQL, for queries that pick seasons by it (the scheduler's, on the store's tables). */
export function graceEndOf(s: { endsAt: Column; graceDays: Column }) {
	return sql<number>`(${s.endsAt} + ${s.graceDays} * ${DAY_MS})`;
}

/** A product of a season's catalogue. */
export type Product = typeof product.$inferSelect;

/** A person's team in a season (readMembership's row). */
export type Membership = NonNullable<Awaited<ReturnType<typeof readMembership>>>;

export function catalogueOf(products: readonly Product[]): Map<string, CatalogueItem> {
	return new Map(products.map((p) => [p.sku, p]));
}

// What the pages and the API read, through the store (#20), on SQLite or PostgreSQL.

export async function readSeason(store: Store, id: number): Promise<Season | undefined> {
	const { season } = store.tables;
	const [row] = await store.db.select().from(season).where(eq(season.id, id)).limit(1);
	return row;
}

/** "The" live season: the most recently started one. */
export async function getCurrentSeason(store: Store): Promise<Season | undefined> {
	const { season } = store.tables;
	const [row] = await store.db
		.select()
		.from(season)
		.where(eq(season.status, 'live'))
		.orderBy(desc(season.startsAt), desc(season.id))
		.limit(1);
	return row;
}

/**
 * The seasons whose sales a manager may still confirm or reject: the live ones and the ended
 * ones whose grace period is still running (results not final yet). Live first, then the most
 * recently ended.
 * Note: mirrors the scheduler, which archives an ended season at `endsAt + graceDays`.
 */
export async function listReviewableSeasons(store: Store, now: number): Promise<Season[]> {
	const { season } = store.tables;
	return store.db
		.select()
		.from(season)
		.where(
			or(
				eq(season.status, 'live'),
				and(eq(season.status, 'ended'), isNull(season.finalizedAt), gt(graceEndOf(season), now))
			)
		)
		.orderBy(
			sql`case when ${season.status} = 'live' then 0 else 1 end`,
			desc(season.endsAt),
			desc(season.id)
		);
}

/**
 * The season the review queue is about: the one asked for when it is still reviewable, else
 * the current live season, else the most recently ended one still in its grace period.
 */
export async function getReviewSeason(store: Store, now: number, askedId?: number) {
	const open = await listReviewableSeasons(store, now);
	const current = await getCurrentSeason(store);
	return {
		seasons: open,
		season: open.find((s) => s.id === askedId) ?? open.find((s) => s.id === current?.id) ?? open[0]
	};
}

/** The live season a person takes part in, if any: the most recently started one. */
export async function readLiveSeasonFor(store: Store, userId: number): Promise<Season | undefined> {
	const { season, seasonMember } = store.tables;
	const [row] = await store.db
		.select({ season })
		.from(season)
		.innerJoin(seasonMember, eq(seasonMember.seasonId, season.id))
		.where(and(eq(season.status, 'live'), eq(seasonMember.userId, userId)))
		.orderBy(desc(season.startsAt), desc(season.id))
		.limit(1);
	return row?.season;
}

/** A person's team in a season, if they take part in it. */
export async function readMembership(store: Store, seasonId: number, userId: number) {
	const { seasonMember, team } = store.tables;
	const [row] = await store.db
		.select({ teamId: team.id, teamName: team.name, teamEmoji: team.emoji, teamColor: team.color })
		.from(seasonMember)
		.innerJoin(team, eq(team.id, seasonMember.teamId))
		.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, userId)))
		.limit(1);
	return row;
}

/** A season's catalogue, by category and name. */
export async function readProducts(store: Store, seasonId: number): Promise<Product[]> {
	const { product } = store.tables;
	return store.db
		.select()
		.from(product)
		.where(eq(product.seasonId, seasonId))
		.orderBy(asc(product.category), asc(product.name));
}

/** Every season for the console's list, most recent start first, with its people and teams. */
export async function listConsoleSeasons(store: Store) {
	const { season, seasonMember, team } = store.tables;
	const [members, teams, seasons] = await Promise.all([
		store.db
			.select({ seasonId: seasonMember.seasonId, count: count().mapWith(Number) })
			.from(seasonMember)
			.groupBy(seasonMember.seasonId),
		store.db
			.select({ seasonId: team.seasonId, count: count().mapWith(Number) })
			.from(team)
			.groupBy(team.seasonId),
		store.db.select().from(season).orderBy(desc(season.startsAt), desc(season.id))
	]);
	const memberCounts = new Map(members.map((r) => [r.seasonId, r.count]));
	const teamCounts = new Map(teams.map((r) => [r.seasonId, r.count]));
	return seasons.map((s) => ({
		...s,
		members: memberCounts.get(s.id) ?? 0,
		teams: teamCounts.get(s.id) ?? 0
	}));
}

/** The transitions a season went through, oldest first, with who made them. */
export async function seasonHistory(store: Store, seasonId: number) {
	const { seasonTransition, user } = store.tables;
	const rows = await store.db
		.select({
			toStatus: seasonTransition.toStatus,
			at: seasonTransition.at,
			by: seasonTransition.by,
			name: user.displayName
		})
		.from(seasonTransition)
		// `by` is a user's id as text, or 'scheduler': compared as text, which both dialects do
		// (PostgreSQL refuses to cast 'scheduler' to an integer).
		.leftJoin(user, sql`cast(${user.id} as text) = ${seasonTransition.by}`)
		.where(eq(seasonTransition.seasonId, seasonId))
		.orderBy(asc(seasonTransition.at), asc(seasonTransition.id));
	return rows.map((r) => ({
		toStatus: r.toStatus,
		at: r.at,
		by: r.by === 'scheduler' ? m.seasons_by_scheduler() : (r.name ?? r.by)
	}));
}

/** Every season, most recent start first; only those with `status` when it is given. */
export async function listSeasons(store: Store, status?: SeasonStatus): Promise<Season[]> {
	const { season } = store.tables;
	return store.db
		.select()
		.from(season)
		.where(status ? eq(season.status, status) : undefined)
		.orderBy(desc(season.startsAt), desc(season.id));
}

/** A season's frozen results, best rank first. */
export async function listResults(store: Store, seasonId: number) {
	const { seasonResult } = store.tables;
	return store.db
		.select()
		.from(seasonResult)
		.where(eq(seasonResult.seasonId, seasonId))
		.orderBy(asc(seasonResult.rank), asc(seasonResult.name));
}

/** A season's teams and people, for the sample board of its preview. */
export async function listCast(store: Store, seasonId: number) {
	const { team, seasonMember, user } = store.tables;
	const [teams, people] = await Promise.all([
		store.db
			.select({ id: team.id, name: team.name, emoji: team.emoji, color: team.color })
			.from(team)
			.where(eq(team.seasonId, seasonId))
			.orderBy(asc(team.id)),
		store.db
			.select({ id: user.id, name: user.displayName, teamId: seasonMember.teamId })
			.from(seasonMember)
			.innerJoin(user, eq(user.id, seasonMember.userId))
			.where(eq(seasonMember.seasonId, seasonId))
			.orderBy(asc(user.displayName))
	]);
	return { teams, people };
}
