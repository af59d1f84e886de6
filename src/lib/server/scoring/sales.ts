import { z } from 'zod';
import type { Db, Queryable } from '../db';
import type { SaleSource, SaleStatus } from '../db/schema';
import { prepared } from '../db/prepared';
import {
	INTEGRATION_SOURCES,
	insertLine,
	insertSale,
	integrationSale,
	seasonVersion,
	sourceSale
} from './sale-queries';
import { SaleLookups } from './sale-lookups';
import { score, ScoringError } from '../../contest/scoring';
import type { ScoreBreakdown } from '../../contest/types';
import type { ActivityItem } from '../../realtime/events';
import { bumpVersion } from './standings';
import { appendEntry } from './ledger';
import { sellerDayContext } from '../rules/engine';
import { notifyLeaderboard, publishActivity } from '../realtime/publish';
import { evaluateAwards } from '../badges/awards';
import { enqueueWebhooks } from '../webhooks/delivery';
import { AppError, type AppErrorOptions } from '../shared/errors';
import { systemClock, type Clock } from '../shared/clock';

/** The limits of a sale, stated once for the API, the sell form and the CSV import. */
export const SALE_LIMITS = {
	externalId: 200,
	email: 254,
	sku: 64,
	/** Units of one product in one sale line. */
	quantity: 10_000,
	/** Price of one unit in the currency's main unit (e.g. 49.90). */
	unitPrice: 10_000_000,
	customerRef: 120
} as const;

/** A sale's fields, defined once; the API, the sell form and the import compose them. */
export const saleFields = {
	externalId: z.string().trim().min(1).max(SALE_LIMITS.externalId),
	sellerEmail: z.email().max(SALE_LIMITS.email),
	sku: z.string().trim().min(1).max(SALE_LIMITS.sku),
	quantity: z.number().int().min(1).max(SALE_LIMITS.quantity),
	unitPrice: z.number().min(0).max(SALE_LIMITS.unitPrice),
	customerRef: z.string().trim().max(SALE_LIMITS.customerRef)
};

type SaleErrorCode =
	| 'unknown_seller'
	| 'not_a_member'
	| 'unknown_sku'
	| 'inactive_sku'
	| 'empty_sale'
	| 'outside_season'
	| 'in_the_future';

/** A sale that is well-formed but cannot be counted: the API answers 422 with its code. */
function saleRefused(code: SaleErrorCode, message: string, options?: AppErrorOptions): AppError {
	return new AppError(422, code, message, options);
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
	/**
	 * The live season to count the sale in, for a person in parallel contests who chose one;
	 * by default their most recently started live season.
	 */
	seasonId?: number;
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

/** A recorded sale plus the feed item to publish once its transaction has committed. */
export type RecordedInTx = RecordedSale & { activity?: ActivityItem };

/**
 * The body of recordSale inside the caller's transaction, so that a batch (an import) can
 * record many sales per transaction and publish once. Publishes nothing itself.
 */
export function recordSaleInTx(
	tx: Queryable,
	input: RecordSaleInput,
	now: number,
	lookups: SaleLookups = new SaleLookups()
): RecordedInTx {
	// The API and CSV imports share one id space (the CRM's ids): a sale sent by one and then
	// the other is the same sale, counted once.
	const existing = INTEGRATION_SOURCES.has(input.source)
		? prepared(tx, integrationSale).get({ externalId: input.externalId })
		: prepared(tx, sourceSale).get({ source: input.source, externalId: input.externalId });
	if (existing) {
		const current = prepared(tx, seasonVersion).get({ seasonId: existing.seasonId })!;
		return {
			sale: { id: existing.id, status: existing.status, points: existing.points },
			seasonId: existing.seasonId,
			version: current.version,
			created: false
		} satisfies RecordedSale;
	}

	const seller = lookups.seller(tx, input.seller);
	if (!seller) throw saleRefused('unknown_seller', 'No user has this email', { field: 'seller' });

	const { season, membership } = lookups.seasonOf(tx, seller.id, input.seasonId);
	if (!season) {
		throw saleRefused('not_a_member', `${seller.displayName} is not in a live season`, {
			field: 'seller'
		});
	}
	if (input.occurredAt > now + FUTURE_TOLERANCE) {
		throw saleRefused('in_the_future', 'occurredAt is in the future', { field: 'occurredAt' });
	}
	if (input.occurredAt < season.startsAt || input.occurredAt >= season.endsAt) {
		throw saleRefused('outside_season', `occurredAt is outside the season "${season.name}"`, {
			field: 'occurredAt',
			details: {
				startsAt: new Date(season.startsAt).toISOString(),
				endsAt: new Date(season.endsAt).toISOString()
			}
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
			throw saleRefused(
				error.code,
				error.message,
				error.sku ? { details: { sku: error.sku } } : {}
			);
		}
		throw error;
	}

	const provisional = season.requireConfirmation;
	const amount = lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
	const saleRow = {
		id: 0,
		status: (provisional ? 'pending' : 'approved') as SaleStatus,
		points: breakdown.total
	};
	saleRow.id = prepared(tx, insertSale).get({
		seasonId: season.id,
		source: input.source,
		externalId: input.externalId,
		sellerId: seller.id,
		teamId: membership.teamId,
		occurredAt: input.occurredAt,
		amount,
		customerRef: input.customerRef || null,
		status: saleRow.status,
		points: breakdown.total,
		breakdown: JSON.stringify({ lines: breakdown.lines, items: breakdown.items }),
		createdById: input.createdById ?? null,
		createdAt: now
	})!.id;
	const lineInsert = prepared(tx, insertLine);
	lines.forEach((line, i) =>
		lineInsert.run({
			saleId: saleRow.id,
			productId: bySku.get(line.sku)!.id,
			quantity: line.quantity,
			unitPrice: line.unitPrice,
			points: breakdown.lines[i].points
		})
	);
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
		enqueueWebhooks(
			tx,
			'sale.confirmed',
			{
				sale: {
					id: saleRow.id,
					externalId: input.externalId,
					source: input.source,
					points: breakdown.total,
					seller: { id: seller.id, email: seller.email }
				},
				seasonId: season.id
			},
			now,
			lookups.webhooks(tx)
		);
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
		if (options.awards !== false)
			evaluateAwards(db, recorded.seasonId, { userIds: [activity.userId], clock });
	}
	return recorded;
}
