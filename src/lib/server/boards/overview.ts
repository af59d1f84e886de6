import { desc, eq, sql } from 'drizzle-orm';
import { read, type Store } from '../db/store';
import type { ActivityItem } from '../../realtime/events';

/**
 * What a contest manager checks first: totals, who has not sold yet, the latest sales. Read
 * through the store (db/store.ts) in one snapshot, so the totals and who has not sold agree
 * whatever another node commits meanwhile. `feed` is the season's recent activity
 * (boards/activity.ts `readRecentActivity`, the boards' feed): its sales, each given the details
 * the console shows.
 */
export async function seasonOverview(store: Store, seasonId: number, feed: ActivityItem[]) {
	const { sale, seasonMember, team, user } = store.tables;
	const { totals, members, latest } = await read(store, async (tx) => {
		const [totals] = await tx
			.select({
				sales: sql<number>`count(*)`.mapWith(Number),
				points: sql<number>`coalesce(sum(${sale.points}), 0)`.mapWith(Number),
				revenue: sql<number>`coalesce(sum(${sale.amount}), 0)`.mapWith(Number),
				sellers: sql<number>`count(distinct ${sale.sellerId})`.mapWith(Number),
				pending:
					sql<number>`coalesce(sum(case when ${sale.status} = 'pending' then 1 else 0 end), 0)`.mapWith(
						Number
					)
			})
			.from(sale)
			.where(eq(sale.seasonId, seasonId));
		const members = await tx
			.select({
				id: user.id,
				name: user.displayName,
				email: user.email,
				team: team.name,
				sales:
					sql<number>`(select count(*) from ${sale} where ${sale.seasonId} = ${seasonId} and ${sale.sellerId} = ${user.id})`.mapWith(
						Number
					)
			})
			.from(seasonMember)
			.innerJoin(user, eq(user.id, seasonMember.userId))
			.innerJoin(team, eq(team.id, seasonMember.teamId))
			.where(eq(seasonMember.seasonId, seasonId))
			.orderBy(team.name, user.displayName);
		const latest = await tx
			.select({
				id: sale.id,
				source: sale.source,
				amount: sale.amount,
				customerRef: sale.customerRef,
				status: sale.status
			})
			.from(sale)
			.where(eq(sale.seasonId, seasonId))
			.orderBy(desc(sale.createdAt), desc(sale.id))
			.limit(25);
		return { totals, members, latest };
	});
	const details = new Map(latest.map((s) => [`sale:${s.id}`, s]));
	return {
		totals,
		members: members.length,
		notYetSold: members.filter((m) => m.sales === 0),
		// The sales of the feed (its badges, quizzes, duels and activities are not sales: they have
		// no amount, customer or status to show in the console's table).
		recent: feed.flatMap((item) => {
			const sold = details.get(item.id);
			return sold ? [{ ...item, ...sold }] : [];
		})
	};
}
