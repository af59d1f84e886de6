import { alias } from 'drizzle-orm/pg-core';
import { and, asc, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { read, type Store } from '../db/store';
import { m } from '../../paraglide/messages.js';
import { sayReason } from './stored-reasons';
import { readReferralsConfirmedBy } from '../referrals/queries';

// The manager's review queue and its counts, read through the store (db/store.ts, #20): a sale
// recorded or decided on any node is in (or out of) every node's queue.

const DAY = 24 * 60 * 60 * 1000;

/** The queue shows this many of the oldest matching sales; the rest wait for the next page load. */
export const QUEUE_LIMIT = 200;

export interface QueueFilters {
	teamId?: number;
	sellerId?: number;
	sku?: string;
	/** Only sales that occurred more than this many days ago. */
	olderThanDays?: number;
}

export interface QueuedSale {
	id: number;
	sellerId: number;
	sellerName: string;
	teamName: string;
	teamEmoji: string;
	occurredAt: number;
	amount: number;
	points: number;
	customerRef: string | null;
	source: string;
	/** Why the sale waits although the season needs no confirmation (above the points ceiling). */
	flagReason: string | null;
	items: { name: string; quantity: number }[];
	/** Who referred this customer, when confirming the sale would confirm their referral. */
	referralBy: string | null;
}

/**
 * Pending sales of a season, oldest first: what a manager has to decide on. The sales, their
 * lines, referrals and counts are read in one snapshot, so the counts match the list.
 */
export function reviewQueue(store: Store, seasonId: number, filters: QueueFilters, now: number) {
	const { product, sale, saleLine, team, user } = store.tables;
	const pendingInSeason = and(eq(sale.seasonId, seasonId), eq(sale.status, 'pending'));
	const conditions: (SQL | undefined)[] = [pendingInSeason];
	if (filters.teamId) conditions.push(eq(sale.teamId, filters.teamId));
	if (filters.sellerId) conditions.push(eq(sale.sellerId, filters.sellerId));
	if (filters.olderThanDays)
		conditions.push(lt(sale.occurredAt, now - filters.olderThanDays * DAY));
	if (filters.sku) {
		const withProduct = store.db
			.select({ id: saleLine.saleId })
			.from(saleLine)
			.innerJoin(product, eq(product.id, saleLine.productId))
			.where(and(eq(product.seasonId, seasonId), eq(product.sku, filters.sku)));
		conditions.push(inArray(sale.id, withProduct));
	}
	const where = and(...conditions);
	return read(store, async (tx) => {
		const count = async (condition: SQL | undefined) => {
			const [row] = await tx
				.select({
					sales: sql<number>`count(*)`.mapWith(Number),
					points: sql<number>`coalesce(sum(${sale.points}), 0)`.mapWith(Number)
				})
				.from(sale)
				.where(condition);
			return row ?? { sales: 0, points: 0 };
		};

		const rows = await tx
			.select({
				id: sale.id,
				sellerId: sale.sellerId,
				sellerName: user.displayName,
				teamName: team.name,
				teamEmoji: team.emoji,
				occurredAt: sale.occurredAt,
				amount: sale.amount,
				points: sale.points,
				customerRef: sale.customerRef,
				source: sale.source,
				flagReason: sale.flagReason
			})
			.from(sale)
			.innerJoin(user, eq(user.id, sale.sellerId))
			.innerJoin(team, eq(team.id, sale.teamId))
			.where(where)
			.orderBy(asc(sale.occurredAt), asc(sale.id))
			.limit(QUEUE_LIMIT);
		const lines =
			rows.length === 0
				? []
				: await tx
						.select({ saleId: saleLine.saleId, quantity: saleLine.quantity, name: product.name })
						.from(saleLine)
						.innerJoin(product, eq(product.id, saleLine.productId))
						.where(
							inArray(
								saleLine.saleId,
								rows.map((r) => r.id)
							)
						)
						.orderBy(asc(saleLine.id));
		const referrals = await readReferralsConfirmedBy(
			store,
			rows.map((r) => ({ id: r.id, seasonId, customerRef: r.customerRef })),
			tx
		);
		const sales: QueuedSale[] = rows.map((row) => ({
			...row,
			referralBy: referrals.get(row.id)?.referrerName ?? null,
			flagReason: sayReason(row.flagReason),
			items: lines
				.filter((l) => l.saleId === row.id)
				.map(({ name, quantity }) => ({ name, quantity }))
		}));
		return { sales, matching: await count(where), waiting: await count(pendingInSeason) };
	});
}

/** What the queue's filters offer: the season's teams, members and products. */
export async function queueFilterOptions(store: Store, seasonId: number) {
	const { product, seasonMember, team, user } = store.tables;
	return {
		teams: await store.db
			.select({ id: team.id, name: team.name })
			.from(team)
			.where(eq(team.seasonId, seasonId))
			.orderBy(asc(team.name)),
		sellers: await store.db
			.select({ id: user.id, name: user.displayName })
			.from(seasonMember)
			.innerJoin(user, eq(user.id, seasonMember.userId))
			.where(eq(seasonMember.seasonId, seasonId))
			.orderBy(asc(user.displayName)),
		products: await store.db
			.select({ sku: product.sku, name: product.name })
			.from(product)
			.where(eq(product.seasonId, seasonId))
			.orderBy(asc(product.name))
	};
}

/** The ids among `ids` that are sales of this season; the rest are not this queue's business. */
export async function salesOfSeason(
	store: Store,
	seasonId: number,
	ids: number[]
): Promise<Set<number>> {
	if (ids.length === 0) return new Set();
	const { sale } = store.tables;
	const rows = await store.db
		.select({ id: sale.id })
		.from(sale)
		.where(and(eq(sale.seasonId, seasonId), inArray(sale.id, ids)));
	return new Set(rows.map((r) => r.id));
}

export interface Decided {
	eventId: number;
	saleId: number;
	action: 'confirm' | 'reject' | 'reverse';
	sellerId: number;
	sellerName: string;
	points: number;
	at: number;
	/** A person's name, "API token <name>" or "System" (auto-confirmation). */
	by: string;
	reason: string | null;
}

/**
 * The latest decisions on this season's sales, newest first. Read from the audit log rather than
 * the sale, so that a sale confirmed and later reversed shows both decisions and who took them.
 */
export async function recentDecisions(
	store: Store,
	seasonId: number,
	limit = 20
): Promise<Decided[]> {
	const { apiToken, auditEvent, sale, user } = store.tables;
	const seller = alias(user, 'seller');
	const actor = alias(user, 'actor');
	const rows = await store.db
		.select({
			eventId: auditEvent.id,
			action: auditEvent.action,
			data: auditEvent.data,
			at: auditEvent.createdAt,
			saleId: sale.id,
			sellerId: sale.sellerId,
			sellerName: seller.displayName,
			points: sale.points,
			actorName: actor.displayName,
			tokenName: apiToken.name
		})
		.from(auditEvent)
		.innerJoin(sale, eq(auditEvent.subject, sql`'sale:' || ${sale.id}`))
		.innerJoin(seller, eq(seller.id, sale.sellerId))
		.leftJoin(actor, eq(actor.id, auditEvent.actorUserId))
		.leftJoin(apiToken, eq(apiToken.id, auditEvent.actorTokenId))
		.where(
			and(
				eq(sale.seasonId, seasonId),
				inArray(auditEvent.action, ['sale.confirm', 'sale.reject', 'sale.reverse'])
			)
		)
		.orderBy(desc(auditEvent.createdAt), desc(auditEvent.id))
		.limit(limit);
	return rows.map((row) => ({
		eventId: row.eventId,
		saleId: row.saleId,
		action: row.action.slice('sale.'.length) as Decided['action'],
		sellerId: row.sellerId,
		sellerName: row.sellerName,
		points: typeof row.data?.points === 'number' ? row.data.points : row.points,
		at: row.at,
		by:
			row.actorName ??
			(row.tokenName ? m.review_by_token({ name: row.tokenName }) : m.review_by_system()),
		reason: typeof row.data?.reason === 'string' ? sayReason(row.data.reason) : null
	}));
}
