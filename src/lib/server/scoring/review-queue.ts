import { alias } from 'drizzle-orm/sqlite-core';
import { and, asc, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db';
import {
	apiToken,
	auditEvent,
	product,
	sale,
	saleLine,
	seasonMember,
	team,
	user
} from '../db/schema';
import { m } from '../../paraglide/messages.js';
import { sayReason } from './stored-reasons';
import { referralsConfirmedBy } from '../referrals/queries';

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

/** Pending sales of a season, oldest first: what a manager has to decide on. */
export function reviewQueue(db: Queryable, seasonId: number, filters: QueueFilters, now: number) {
	const pendingInSeason = and(eq(sale.seasonId, seasonId), eq(sale.status, 'pending'));
	const conditions: (SQL | undefined)[] = [pendingInSeason];
	if (filters.teamId) conditions.push(eq(sale.teamId, filters.teamId));
	if (filters.sellerId) conditions.push(eq(sale.sellerId, filters.sellerId));
	if (filters.olderThanDays)
		conditions.push(lt(sale.occurredAt, now - filters.olderThanDays * DAY));
	if (filters.sku) {
		const withProduct = db
			.select({ id: saleLine.saleId })
			.from(saleLine)
			.innerJoin(product, eq(product.id, saleLine.productId))
			.where(and(eq(product.seasonId, seasonId), eq(product.sku, filters.sku)));
		conditions.push(inArray(sale.id, withProduct));
	}
	const where = and(...conditions);
	const count = (condition: SQL | undefined) =>
		db
			.select({
				sales: sql<number>`count(*)`,
				points: sql<number>`coalesce(sum(${sale.points}), 0)`
			})
			.from(sale)
			.where(condition)
			.get() ?? { sales: 0, points: 0 };

	const rows = db
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
		.limit(QUEUE_LIMIT)
		.all();
	const lines =
		rows.length === 0
			? []
			: db
					.select({ saleId: saleLine.saleId, quantity: saleLine.quantity, name: product.name })
					.from(saleLine)
					.innerJoin(product, eq(product.id, saleLine.productId))
					.where(
						inArray(
							saleLine.saleId,
							rows.map((r) => r.id)
						)
					)
					.orderBy(asc(saleLine.id))
					.all();
	const referrals = referralsConfirmedBy(
		db,
		rows.map((r) => ({ id: r.id, seasonId, customerRef: r.customerRef }))
	);
	const sales: QueuedSale[] = rows.map((row) => ({
		...row,
		referralBy: referrals.get(row.id)?.referrerName ?? null,
		flagReason: sayReason(row.flagReason),
		items: lines
			.filter((l) => l.saleId === row.id)
			.map(({ name, quantity }) => ({ name, quantity }))
	}));
	return { sales, matching: count(where), waiting: count(pendingInSeason) };
}

/** What the queue's filters offer: the season's teams, members and products. */
export function queueFilterOptions(db: Queryable, seasonId: number) {
	return {
		teams: db
			.select({ id: team.id, name: team.name })
			.from(team)
			.where(eq(team.seasonId, seasonId))
			.orderBy(asc(team.name))
			.all(),
		sellers: db
			.select({ id: user.id, name: user.displayName })
			.from(seasonMember)
			.innerJoin(user, eq(user.id, seasonMember.userId))
			.where(eq(seasonMember.seasonId, seasonId))
			.orderBy(asc(user.displayName))
			.all(),
		products: db
			.select({ sku: product.sku, name: product.name })
			.from(product)
			.where(eq(product.seasonId, seasonId))
			.orderBy(asc(product.name))
			.all()
	};
}

/** The ids among `ids` that are sales of this season; the rest are not this queue's business. */
export function salesOfSeason(db: Queryable, seasonId: number, ids: number[]): Set<number> {
	if (ids.length === 0) return new Set();
	return new Set(
		db
			.select({ id: sale.id })
			.from(sale)
			.where(and(eq(sale.seasonId, seasonId), inArray(sale.id, ids)))
			.all()
			.map((r) => r.id)
	);
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
export function recentDecisions(db: Queryable, seasonId: number, limit = 20): Decided[] {
	const seller = alias(user, 'seller');
	const actor = alias(user, 'actor');
	return db
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
		.limit(limit)
		.all()
		.map((row) => ({
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
