import { and, count, desc, eq, inArray, isNotNull, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { ReferralStatus } from '../db/schema';
import type { Store, StoreDb } from '../db/store';
import { customerKey, pointsStatus } from '../../contest/referral';

// What the referral pages, the API and the review queue read, on the store (db/store.ts).

/** A person's own referrals, newest first, with what their points are now. */
export async function listMyReferrals(store: Store, userId: number, limit = 100) {
	const { referral } = store.tables;
	const rows = await store.db
		.select({
			id: referral.id,
			customerName: referral.customerName,
			customerRef: referral.customerRef,
			status: referral.status,
			points: referral.points,
			expiresAt: referral.expiresAt,
			createdAt: referral.createdAt,
			decidedAt: referral.decidedAt,
			decisionReason: referral.decisionReason,
			duplicate: isNotNull(referral.duplicateOfId)
		})
		.from(referral)
		.where(eq(referral.referrerId, userId))
		.orderBy(desc(referral.createdAt), desc(referral.id))
		.limit(limit);
	// Note: SQLite reads the condition as 0 or 1, PostgreSQL as a boolean.
	return rows.map((r) => ({
		...r,
		duplicate: Boolean(r.duplicate),
		pointsStatus: pointsStatus(r.status)
	}));
}

/** The manager's list: by status (all when none), open first, each with its possible original. */
export function listReferrals(
	store: Store,
	options: { status?: ReferralStatus; seasonId?: number; limit?: number } = {}
) {
	const { referral, user } = store.tables;
	const original = alias(referral, 'original');
	const originalBy = alias(user, 'original_by');
	const filters: SQL[] = [];
	if (options.status) filters.push(eq(referral.status, options.status));
	if (options.seasonId) filters.push(eq(referral.seasonId, options.seasonId));
	return store.db
		.select({
			id: referral.id,
			seasonId: referral.seasonId,
			referrer: { id: user.id, name: user.displayName, email: user.email },
			customerName: referral.customerName,
			customerRef: referral.customerRef,
			contact: referral.contact,
			note: referral.note,
			status: referral.status,
			points: referral.points,
			expiresAt: referral.expiresAt,
			createdAt: referral.createdAt,
			matchedSaleId: referral.matchedSaleId,
			decidedAt: referral.decidedAt,
			decisionReason: referral.decisionReason,
			duplicateOfId: referral.duplicateOfId,
			duplicateOfName: originalBy.displayName,
			duplicateOfStatus: original.status
		})
		.from(referral)
		.innerJoin(user, eq(user.id, referral.referrerId))
		.leftJoin(original, eq(original.id, referral.duplicateOfId))
		.leftJoin(originalBy, eq(originalBy.id, original.referrerId))
		.where(filters.length ? and(...filters) : undefined)
		.orderBy(desc(referral.createdAt), desc(referral.id))
		.limit(options.limit ?? 200);
}

/** Counts per status, for the manager's filter. */
export async function referralCounts(
	store: Store,
	seasonId?: number
): Promise<Record<ReferralStatus, number>> {
	const { referral } = store.tables;
	const counts: Record<ReferralStatus, number> = { open: 0, confirmed: 0, lapsed: 0, rejected: 0 };
	const rows = await store.db
		.select({ status: referral.status, n: count() })
		.from(referral)
		.where(seasonId ? eq(referral.seasonId, seasonId) : undefined)
		.groupBy(referral.status);
	for (const row of rows) counts[row.status] = row.n;
	return counts;
}

/** A pending sale of the review queue: what `…ConfirmedBy` match an open referral on. */
type ReviewedSale = { id: number; seasonId: number; customerRef: string | null };
/** The referral a sale would confirm, by sale id. */
export type ConfirmedBy = Map<
	number,
	{ referralId: number; referrerName: string; customerName: string }
>;
type ReferralOfKey = {
	id: number;
	seasonId: number;
	key: string | null;
	status: ReferralStatus;
	referrerName: string;
	customerName: string;
};

const keyedSales = (sales: readonly ReviewedSale[]) =>
	sales
		.map((s) => ({ ...s, key: customerKey(s.customerRef) }))
		.filter((s): s is typeof s & { key: string } => s.key !== null);

/** The first open or confirmed referral of each sale's customer in its season, when still open. */
function matchFirst(keyed: ReturnType<typeof keyedSales>, rows: ReferralOfKey[]): ConfirmedBy {
	const found: ConfirmedBy = new Map();
	for (const s of keyed) {
		const first = rows.find((r) => r.seasonId === s.seasonId && r.key === s.key);
		if (first?.status === 'open')
			found.set(s.id, {
				referralId: first.id,
				referrerName: first.referrerName,
				customerName: first.customerName
			});
	}
	return found;
}

/**
 * For the review queue: which pending sales would confirm an open referral (the first of their
 * customer in the sale's season), by sale id → the referrer's name. On the store; `db` is a
 * `read()`'s transaction when the queue reads it with the rest (scoring/review-queue.ts).
 */
export async function readReferralsConfirmedBy(
	store: Store,
	sales: readonly ReviewedSale[],
	db: StoreDb = store.db
): Promise<ConfirmedBy> {
	const keyed = keyedSales(sales);
	if (keyed.length === 0) return new Map();
	const { referral, user } = store.tables;
	const rows = await db
		.select({
			id: referral.id,
			seasonId: referral.seasonId,
			key: referral.customerKey,
			status: referral.status,
			referrerName: user.displayName,
			customerName: referral.customerName
		})
		.from(referral)
		.innerJoin(user, eq(user.id, referral.referrerId))
		.where(
			and(
				inArray(referral.customerKey, [...new Set(keyed.map((s) => s.key))]),
				inArray(referral.status, ['open', 'confirmed'])
			)
		)
		.orderBy(referral.id);
	return matchFirst(keyed, rows);
}

/** Confirmed sales a manager can pick from to confirm a referral by hand: the season's latest. */
export function confirmedSalesFor(store: Store, seasonId: number, limit = 50) {
	const { sale, user } = store.tables;
	return store.db
		.select({
			id: sale.id,
			externalId: sale.externalId,
			customerRef: sale.customerRef,
			sellerName: user.displayName,
			occurredAt: sale.occurredAt
		})
		.from(sale)
		.innerJoin(user, eq(user.id, sale.sellerId))
		.where(and(eq(sale.seasonId, seasonId), eq(sale.status, 'approved')))
		.orderBy(desc(sale.occurredAt))
		.limit(limit);
}
