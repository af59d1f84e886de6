import { desc, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db';
import { sale, seasonMember, team, user } from '../db/schema';
import { recentActivity } from './activity';

/** What a contest manager checks first: totals, who has not sold yet, the latest sales. */
export function seasonOverview(db: Queryable, seasonId: number) {
	const totals = db
		.select({
			sales: sql<number>`count(*)`,
			points: sql<number>`coalesce(sum(${sale.points}), 0)`,
			revenue: sql<number>`coalesce(sum(${sale.amount}), 0)`,
			sellers: sql<number>`count(distinct ${sale.sellerId})`,
			pending: sql<number>`coalesce(sum(${sale.status} = 'pending'), 0)`
		})
		.from(sale)
		.where(eq(sale.seasonId, seasonId))
		.get()!;
	const members = db
		.select({
			id: user.id,
			name: user.displayName,
			email: user.email,
			team: team.name,
			sales: sql<number>`(select count(*) from ${sale} where ${sale.seasonId} = ${seasonId} and ${sale.sellerId} = ${user.id})`
		})
		.from(seasonMember)
		.innerJoin(user, eq(user.id, seasonMember.userId))
		.innerJoin(team, eq(team.id, seasonMember.teamId))
		.where(eq(seasonMember.seasonId, seasonId))
		.orderBy(team.name, user.displayName)
		.all();
	const latest = db
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
		.limit(25)
		.all();
	const details = new Map(latest.map((s) => [`sale:${s.id}`, s]));
	return {
		totals,
		members: members.length,
		notYetSold: members.filter((m) => m.sales === 0),
		recent: recentActivity(db, seasonId, 25).map((item) => ({ ...item, ...details.get(item.id)! }))
	};
}
