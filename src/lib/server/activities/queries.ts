import { and, count, desc, eq } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Store, StoreDb } from '../db/store';
import type { ActivityItem } from '../../realtime/events';

// Reading logged activities: the board's feed (boards/activity.ts merges it with the sales) and
// the console's list, filtered by person and type, a page at a time, voided ones included. The
// console's reads are the store's (db/store.ts: every node's activities); the feed stays
// synchronous with the boards that build it (the publisher, the read thread).

/**
 * The season's latest activities as feed items, newest logged first, inside the caller's `read`
 * (boards/activity.ts).
 */
export async function readActivityFeed(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	limit: number
): Promise<{ sortAt: number; item: ActivityItem }[]> {
	const { activity, activityType, team, user } = store.tables;
	const rows = await tx
		.select({
			id: activity.id,
			userId: activity.userId,
			userName: user.displayName,
			teamName: team.name,
			typeName: activityType.name,
			emoji: activityType.emoji,
			quantity: activity.quantity,
			points: activity.points,
			occurredAt: activity.occurredAt,
			createdAt: activity.createdAt
		})
		.from(activity)
		.innerJoin(user, eq(user.id, activity.userId))
		.innerJoin(team, eq(team.id, activity.teamId))
		.innerJoin(activityType, eq(activityType.id, activity.typeId))
		.where(and(eq(activity.seasonId, seasonId), eq(activity.status, 'counted')))
		.orderBy(desc(activity.createdAt), desc(activity.id))
		.limit(limit);
	return rows.map(feedItem(seasonId));
}

interface FeedRow {
	id: number;
	userId: number;
	userName: string;
	teamName: string;
	typeName: string;
	emoji: string;
	quantity: number;
	points: number;
	occurredAt: number;
	createdAt: number;
}

/** A feed row as the boards' item, with when it was logged to merge it by. */
function feedItem(seasonId: number) {
	return (r: FeedRow) => ({
		sortAt: r.createdAt,
		item: activityItem({
			id: r.id,
			seasonId,
			userId: r.userId,
			userName: r.userName,
			teamName: r.teamName,
			type: { name: r.typeName, emoji: r.emoji },
			quantity: r.quantity,
			points: r.points,
			at: r.occurredAt
		})
	});
}

export const ACTIVITY_PAGE_SIZE = 25;

export interface ActivityLogQuery {
	userId?: number;
	typeId?: number;
	page: number;
	perPage?: number;
}

/**
 * The console's list: the season's activities newest logged first, with who, what, where from
 * and, for a voided one, who voided it and why; one page of those matching the filter.
 */
export async function activityLog(store: Store, seasonId: number, query: ActivityLogQuery) {
	const { activity, activityType, team, user } = store.tables;
	const perPage = query.perPage ?? ACTIVITY_PAGE_SIZE;
	const where = and(
		eq(activity.seasonId, seasonId),
		query.userId === undefined ? undefined : eq(activity.userId, query.userId),
		query.typeId === undefined ? undefined : eq(activity.typeId, query.typeId)
	);
	const [{ n: total }] = await store.db.select({ n: count() }).from(activity).where(where);
	const pages = Math.max(1, Math.ceil(total / perPage));
	const page = Math.min(Math.max(1, query.page), pages);
	const voidedBy = alias(user, 'voider');
	const rows = await store.db
		.select({
			id: activity.id,
			userId: activity.userId,
			userName: user.displayName,
			email: user.email,
			teamName: team.name,
			typeKey: activityType.key,
			typeName: activityType.name,
			emoji: activityType.emoji,
			quantity: activity.quantity,
			points: activity.points,
			source: activity.source,
			externalId: activity.externalId,
			occurredAt: activity.occurredAt,
			createdAt: activity.createdAt,
			status: activity.status,
			voidedAt: activity.voidedAt,
			voidReason: activity.voidReason,
			voidedBy: voidedBy.displayName
		})
		.from(activity)
		.innerJoin(user, eq(user.id, activity.userId))
		.innerJoin(team, eq(team.id, activity.teamId))
		.innerJoin(activityType, eq(activityType.id, activity.typeId))
		.leftJoin(voidedBy, eq(voidedBy.id, activity.voidedById))
		.where(where)
		.orderBy(desc(activity.createdAt), desc(activity.id))
		.limit(perPage)
		.offset((page - 1) * perPage);
	return { rows, total, page, pages };
}

/** The people who logged an activity in the season, by name: the console's person filter. */
export async function activityPeople(store: Store, seasonId: number) {
	const { activity, user } = store.tables;
	return store.db
		.selectDistinct({ id: user.id, name: user.displayName })
		.from(activity)
		.innerJoin(user, eq(user.id, activity.userId))
		.where(eq(activity.seasonId, seasonId))
		.orderBy(user.displayName, user.id);
}

/** The feed item of an activity: worded on each board in its viewer's language. */
export function activityItem(a: {
	id: number;
	seasonId: number;
	userId: number;
	userName: string;
	teamName: string;
	type: { name: string; emoji: string };
	quantity: number;
	points: number;
	at: number;
}): ActivityItem {
	return {
		id: `activity:${a.id}`,
		seasonId: a.seasonId,
		kind: 'activity',
		userId: a.userId,
		userName: a.userName,
		teamName: a.teamName,
		summary: `${a.quantity} × ${a.type.name}`,
		activity: { quantity: a.quantity, name: a.type.name, emoji: a.type.emoji },
		points: a.points,
		provisional: false,
		at: a.at
	};
}

/** An activity of this season, so that a form cannot reach another season's. */
export async function activityInSeason(store: Store, seasonId: number, activityId: number) {
	const { activity, user } = store.tables;
	const [row] = await store.db
		.select({ id: activity.id, userName: user.displayName })
		.from(activity)
		.innerJoin(user, eq(user.id, activity.userId))
		.where(and(eq(activity.id, activityId), eq(activity.seasonId, seasonId)));
	return row;
}
