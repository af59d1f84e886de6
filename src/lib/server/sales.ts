import { and, eq } from 'drizzle-orm';
import type { Db } from './db';
import { sale, saleLine, season as seasonTable, user, type SaleSource } from './db/schema';
import { score, ScoringError } from '../contest/scoring';
import type { CatalogueItem, ScoreBreakdown } from '../contest/types';
import type { Rule } from '../contest/rules';
import type { Season } from './db/schema';
import type { ActivityItem } from '../realtime/events';
import { catalogueOf, getLiveSeasonFor, getMembership, listProducts } from './seasons';
import { bumpVersion, type Tx } from './standings';
import { appendEntry } from './ledger';
import { engineRules, sellerDayContext } from './scoring-rules';
import { notifyLeaderboard, publishActivity } from './realtime/publish';
import { evaluateAwards } from './awards';
import { enqueueWebhooks } from './webhooks';
import { normalizeEmail } from './users';
import { systemClock, type Clock } from './clock';

export type SaleErrorCode =
	| 'unknown_seller'
	| 'not_a_member'
	| 'unknown_sku'
	| 'inactive_sku'
	| 'empty_sale'
	| 'outside_season'
	| 'in_the_future';

/** A sale that is well-formed but cannot be counted (the API answers 422). */
export class SaleError extends Error {
	constructor(
		readonly code: SaleErrorCode,
		message: string,
		readonly details: Record<string, unknown> = {}
	) {
		super(message);
	}
}

export interface RecordSaleInput {
	source: SaleSource;
	externalId: string;
	seller: { email: string } | { userId: number };
	occurredAt: number;
	/** unitPrice in cents; when left out, the catalogue price. */
	lines: { sku: string; quantity: number; unitPrice?: number }[];
	customerRef?: string | null;
	createdById?: number | null;
}

export interface RecordedSale {
	sale: { id: number; status: string; points: number };
	seasonId: number;
	/** Leaderboard version that includes this sale. */
	version: number;
	created: boolean;
	breakdown?: ScoreBreakdown;
}

// Clocks drift between a phone, a CRM and this server: a little "future" is tolerated.
const FUTURE_TOLERANCE = 5 * 60 * 1000;

export interface RecordOptions {
	/** Evaluate badges right after the sale (batch imports evaluate once per batch instead). */
	awards?: boolean;
}

/**
 * Memoised reads that do not change while sales are recorded: sellers, their live season and
 * team, the catalogue and the rules. One instance per transaction batch (a new one per sale
 * by default), so that an import does not read the same rows thousands of times.
 */
export class SaleLookups {
	private sellers = new Map<string, typeof user.$inferSelect | undefined>();
	private seasons = new Map<number, { season?: Season; membership?: Membership }>();
	private scorings = new Map<number, { bySku: Map<string, Product>; catalogue: Map<string, CatalogueItem>; rules: Rule[] }>();

	seller(tx: Tx, seller: RecordSaleInput['seller']) {
		const key = 'email' in seller ? `e:${normalizeEmail(seller.email)}` : `i:${seller.userId}`;
		if (!this.sellers.has(key)) {
			this.sellers.set(
				key,
				'email' in seller
					? tx.select().from(user).where(eq(user.email, normalizeEmail(seller.email))).get()
					: tx.select().from(user).where(eq(user.id, seller.userId)).get()
			);
		}
		return this.sellers.get(key);
	}

	seasonOf(tx: Tx, userId: number) {
		let found = this.seasons.get(userId);
		if (!found) {
			const season = getLiveSeasonFor(tx, userId);
			found = { season, membership: season ? getMembership(tx, season.id, userId) : undefined };
			this.seasons.set(userId, found);
		}
		return found as { season: Season; membership: Membership } | { season: undefined; membership: undefined };
	}

	scoring(tx: Tx, seasonId: number) {
		let found = this.scorings.get(seasonId);
		if (!found) {
			const products = listProducts(tx, seasonId);
			found = { bySku: new Map(products.map((p) => [p.sku, p])), catalogue: catalogueOf(products), rules: engineRules(tx, seasonId) };
			this.scorings.set(seasonId, found);
		}
		return found;
	}
}

type Membership = NonNullable<ReturnType<typeof getMembership>>;
type Product = ReturnType<typeof listProducts>[number];

/** A recorded sale plus the feed item to publish once its transaction has committed. */
export type RecordedInTx = RecordedSale & { activity?: ActivityItem };

/**
 * The body of recordSale inside the caller's transaction, so that a batch (an import) can
 * record many sales per transaction and publish once. Publishes nothing itself.
 */
export function recordSaleInTx(
	tx: Tx,
	input: RecordSaleInput,
	now: number,
	lookups: SaleLookups = new SaleLookups()
): RecordedInTx {
	const existing = tx
		.select()
		.from(sale)
		.where(and(eq(sale.source, input.source), eq(sale.externalId, input.externalId)))
		.get();
	if (existing) {
		const current = tx
			.select({ version: seasonTable.version })
			.from(seasonTable)
			.where(eq(seasonTable.id, existing.seasonId))
			.get()!;
		return {
			sale: { id: existing.id, status: existing.status, points: existing.points },
			seasonId: existing.seasonId,
			version: current.version,
			created: false
		} satisfies RecordedSale;
	}

	const seller = lookups.seller(tx, input.seller);
	if (!seller) throw new SaleError('unknown_seller', 'No user has this email', { field: 'seller' });

	const { season, membership } = lookups.seasonOf(tx, seller.id);
	if (!season) {
		throw new SaleError('not_a_member', `${seller.displayName} is not in a live season`, {
			field: 'seller'
		});
	}
	if (input.occurredAt > now + FUTURE_TOLERANCE) {
		throw new SaleError('in_the_future', 'occurredAt is in the future', { field: 'occurredAt' });
	}
	if (input.occurredAt < season.startsAt || input.occurredAt >= season.endsAt) {
		throw new SaleError('outside_season', `occurredAt is outside the season "${season.name}"`, {
			field: 'occurredAt',
			startsAt: new Date(season.startsAt).toISOString(),
			endsAt: new Date(season.endsAt).toISOString()
		});
	}

	const { bySku, catalogue, rules } = lookups.scoring(tx, season.id);
	const lines = input.lines.map((line) => ({
		sku: line.sku,
		quantity: line.quantity,
		unitPrice: line.unitPrice ?? bySku.get(line.sku)?.price ?? 0
	}));
	let breakdown: ScoreBreakdown;
	try {
		breakdown = score(
			{ occurredAt: input.occurredAt, lines },
			rules,
			catalogue,
			sellerDayContext(tx, season.id, seller.id, input.occurredAt, season.timeZone)
		);
	} catch (error) {
		if (error instanceof ScoringError) {
			throw new SaleError(error.code, error.message, error.sku ? { sku: error.sku } : {});
		}
		throw error;
	}

	const provisional = season.requireConfirmation;
	const amount = lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
	const saleRow = tx
		.insert(sale)
		.values({
			seasonId: season.id,
			source: input.source,
			externalId: input.externalId,
			sellerId: seller.id,
			teamId: membership.teamId,
			occurredAt: input.occurredAt,
			amount,
			customerRef: input.customerRef || null,
			status: provisional ? 'pending' : 'approved',
			points: breakdown.total,
			breakdown: { lines: breakdown.lines, items: breakdown.items },
			createdById: input.createdById ?? null,
			createdAt: now
		})
		.returning()
		.get();
	tx.insert(saleLine)
		.values(
			lines.map((line, i) => ({
				saleId: saleRow.id,
				productId: bySku.get(line.sku)!.id,
				quantity: line.quantity,
				unitPrice: line.unitPrice,
				points: breakdown.lines[i].points
			}))
		)
		.run();
	appendEntry(
		tx,
		{
			seasonId: season.id,
			userId: seller.id,
			teamId: membership.teamId,
			saleId: saleRow.id,
			kind: 'sale',
			points: breakdown.total,
			status: provisional ? 'provisional' : 'confirmed',
			breakdown: { lines: breakdown.lines, items: breakdown.items },
			createdById: input.createdById ?? null
		},
		now,
		1
	);
	const version = bumpVersion(tx, season.id);
	if (!provisional) {
		enqueueWebhooks(tx, 'sale.confirmed', { sale: { id: saleRow.id, externalId: input.externalId, source: input.source, points: breakdown.total, seller: { id: seller.id, email: seller.email } }, seasonId: season.id }, now);
	}

	const activity: ActivityItem = {
		id: `sale:${saleRow.id}`,
		seasonId: season.id,
		kind: 'sale',
		userId: seller.id,
		userName: seller.displayName,
		teamName: membership.teamName,
		summary: breakdown.lines.map((l) => `${l.quantity} × ${l.name}`).join(', '),
		points: breakdown.total,
		provisional,
		at: input.occurredAt
	};
	return {
		sale: { id: saleRow.id, status: saleRow.status, points: saleRow.points },
		seasonId: season.id,
		version,
		created: true,
		breakdown,
		activity
	} satisfies RecordedSale & { activity: ActivityItem };
}

/**
 * Registers a sale and awards its points: sale, lines, ledger entry, standings and the
 * season's leaderboard version change in one transaction. The same (source, externalId) again
 * returns the first result and changes nothing.
 */
export function recordSale(
	db: Db,
	input: RecordSaleInput,
	clock: Clock = systemClock,
	options: RecordOptions = {}
): RecordedSale {
	const now = clock();
	const result = db.transaction((tx) => recordSaleInTx(tx, input, now), { behavior: 'immediate' });
	const { activity, ...recorded } = result;
	if (activity) {
		publishActivity(activity);
		notifyLeaderboard(recorded.seasonId);
		if (options.awards !== false) evaluateAwards(db, recorded.seasonId, { userIds: [activity.userId], clock });
	}
	return recorded;
}
