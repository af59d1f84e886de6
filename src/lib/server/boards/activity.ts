import { desc, eq, inArray } from 'drizzle-orm';
import type { Queryable } from '../db';
import { product, sale, saleLine, team, user } from '../db/schema';
import type { ActivityItem } from '../../realtime/events';

/** The latest sales of a season as feed items, newest first (the same shape as live pushes). */
export function recentActivity(db: Queryable, seasonId: number, limit = 15): ActivityItem[] {
	const sales = db
		.select({
			id: sale.id,
			userId: sale.sellerId,
			userName: user.displayName,
			teamName: team.name,
			points: sale.points,
			status: sale.status,
			at: sale.occurredAt
		})
		.from(sale)
		.innerJoin(user, eq(user.id, sale.sellerId))
		.innerJoin(team, eq(team.id, sale.teamId))
		.where(eq(sale.seasonId, seasonId))
		.orderBy(desc(sale.createdAt), desc(sale.id))
		.limit(limit)
		.all();
	if (sales.length === 0) return [];
	const lines = db
		.select({ saleId: saleLine.saleId, quantity: saleLine.quantity, name: product.name })
		.from(saleLine)
		.innerJoin(product, eq(product.id, saleLine.productId))
		.where(
			inArray(
				saleLine.saleId,
				sales.map((s) => s.id)
			)
		)
		.orderBy(saleLine.id)
		.all();
	return sales.map((s) => ({
		id: `sale:${s.id}`,
		seasonId,
		kind: 'sale',
		userId: s.userId,
		userName: s.userName,
		teamName: s.teamName,
		summary: lines
			.filter((l) => l.saleId === s.id)
			.map((l) => `${l.quantity} × ${l.name}`)
			.join(', '),
		points: s.points,
		provisional: s.status === 'pending',
		at: s.at
	}));
}
