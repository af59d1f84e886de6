import { desc, eq } from 'drizzle-orm';
import type { Queryable } from '../db';
import { activity, activityType, team, user } from '../db/schema';
import type { ActivityItem } from '../../realtime/events';

// Reading logged activities: the board's feed (boards/activity.ts merges it with the sales) and
// the console's list of recent ones.

function recent(db: Queryable, seasonId: number, limit: number) {
	return db
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
			createdAt: activity.createdAt
		})
		.from(activity)
		.innerJoin(user, eq(user.id, activity.userId))
		.innerJoin(team, eq(team.id, activity.teamId))
		.innerJoin(activityType, eq(activityType.id, activity.typeId))
		.where(eq(activity.seasonId, seasonId))
		.orderBy(desc(activity.createdAt), desc(activity.id))
		.limit(limit)
		.all();
}

/** The season's latest activities as feed items, newest logged first. */
export function activityFeed(
	db: Queryable,
	seasonId: number,
	limit: number
): { sortAt: number; item: ActivityItem }[] {
	return recent(db, seasonId, limit).map((r) => ({
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
	}));
}

export type RecentActivity = ReturnType<typeof recent>[number];

/** The console's list: the season's latest activities, with who, what, where from. */
export function recentActivities(db: Queryable, seasonId: number, limit = 50): RecentActivity[] {
	return recent(db, seasonId, limit);
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
