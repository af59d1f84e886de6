import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import {
	sale,
	saleLine,
	season as seasonTable,
	seasonMember,
	team,
	user,
	type SaleSource,
	type SaleStatus,
	type Season
} from '../db/schema';
import { prepared } from '../db/prepared';
import { score, ScoringError } from '../../contest/scoring';
import type { CatalogueItem, ScoreBreakdown } from '../../contest/types';
import type { Rule } from '../../contest/rules';
import type { ActivityItem } from '../../realtime/events';
import { catalogueOf, getMembership, getSeason, listProducts } from '../seasons/queries';
import { bumpVersion } from './standings';
import { appendEntry } from './ledger';
import { engineRules, sellerDayContext } from '../rules/engine';
import { notifyLeaderboard, publishActivity } from '../realtime/publish';
import { evaluateAwards } from '../badges/awards';
import { enqueueWebhooks } from '../webhooks/delivery';
import { normalizeEmail } from '../people/users';
import { AppError, type AppErrorOptions } from '../shared/errors';
import { systemClock, type Clock } from '../shared/clock';

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

const INTEGRATION_SOURCES = new Set<SaleSource>(['api', 'import']);

// Clocks drift between a phone, a CRM and this server: a little "future" is tolerated.
const FUTURE_TOLERANCE = 5 * 60 * 1000;

export interface RecordOptions {
	/** Evaluate badges right after the sale (batch imports evaluate once per batch instead). */
	awards?: boolean;
}

// The per-sale queries, prepared once per connection: an import runs them hundreds of thousands
// of times (see db/prepared.ts).
const sellerColumns = { id: user.id, email: user.email, displayName: user.displayName };
const sellerByEmail = (db: Queryable) =>
	db
		.select(sellerColumns)
		.from(user)
		.where(eq(user.email, sql.placeholder('email')))
		.prepare();
const sellerById = (db: Queryable) =>
	db
		.select(sellerColumns)
		.from(user)
		.where(eq(user.id, sql.placeholder('id')))
		.prepare();

/** The person's live seasons with their team there, most recently started first. */
function liveMemberships(db: Queryable, chosenSeason: boolean) {
	return db
		.select({
			seasonId: seasonMember.seasonId,
			teamId: team.id,
			teamName: team.name,
			teamEmoji: team.emoji,
			teamColor: team.color
		})
		.from(seasonMember)
		.innerJoin(seasonTable, eq(seasonTable.id, seasonMember.seasonId))
		.innerJoin(team, eq(team.id, seasonMember.teamId))
		.where(
			and(
				eq(seasonTable.status, 'live'),
				eq(seasonMember.userId, sql.placeholder('userId')),
				chosenSeason ? eq(seasonTable.id, sql.placeholder('seasonId')) : undefined
			)
		)
		.orderBy(desc(seasonTable.startsAt), desc(seasonTable.id))
		.prepare();
}
const latestLiveMembership = (db: Queryable) => liveMemberships(db, false);
const chosenLiveMembership = (db: Queryable) => liveMemberships(db, true);

const recordedColumns = {
	id: sale.id,
	seasonId: sale.seasonId,
	status: sale.status,
	points: sale.points
};
const integrationSale = (db: Queryable) =>
	db
		.select(recordedColumns)
		.from(sale)
		.where(
			and(
				inArray(sale.source, [...INTEGRATION_SOURCES]),
				eq(sale.externalId, sql.placeholder('externalId'))
			)
		)
		.prepare();
const sourceSale = (db: Queryable) =>
	db
		.select(recordedColumns)
		.from(sale)
		.where(
			and(
				eq(sale.source, sql.placeholder('source')),
				eq(sale.externalId, sql.placeholder('externalId'))
			)
		)
		.prepare();
const seasonVersion = (db: Queryable) =>
	db
		.select({ version: seasonTable.version })
		.from(seasonTable)
		.where(eq(seasonTable.id, sql.placeholder('seasonId')))
		.prepare();

// The breakdown is bound as its JSON text (see ledger.ts).
const insertSale = (db: Queryable) =>
	db
		.insert(sale)
		.values({
			seasonId: sql.placeholder('seasonId'),
			source: sql.placeholder('source'),
			externalId: sql.placeholder('externalId'),
			sellerId: sql.placeholder('sellerId'),
			teamId: sql.placeholder('teamId'),
			occurredAt: sql.placeholder('occurredAt'),
			amount: sql.placeholder('amount'),
			customerRef: sql.placeholder('customerRef'),
			status: sql.placeholder('status'),
			points: sql.placeholder('points'),
			breakdown: sql`${sql.placeholder('breakdown')}`,
			createdById: sql.placeholder('createdById'),
			createdAt: sql.placeholder('createdAt')
		})
		.returning({ id: sale.id })
		.prepare();
const insertLine = (db: Queryable) =>
	db
		.insert(saleLine)
		.values({
			saleId: sql.placeholder('saleId'),
			productId: sql.placeholder('productId'),
			quantity: sql.placeholder('quantity'),
			unitPrice: sql.placeholder('unitPrice'),
			points: sql.placeholder('points')
		})
		.prepare();

/**
 * Memoised reads that do not change while sales are recorded: sellers, their live season and
 * team, the catalogue and the rules. One instance per transaction batch (a new one per sale
 * by default), so that an import does not read the same rows thousands of times.
 */
export class SaleLookups {
	private sellers = new Map<string, Seller | undefined>();
	private seasons = new Map<number | string, { season?: Season; membership?: Membership }>();
	private seasonRows = new Map<number, Season | undefined>();
	private scorings = new Map<
		number,
		{ bySku: Map<string, Product>; catalogue: Map<string, CatalogueItem>; rules: Rule[] }
	>();

	seller(tx: Queryable, seller: RecordSaleInput['seller']): Seller | undefined {
		const key = 'email' in seller ? `e:${normalizeEmail(seller.email)}` : `i:${seller.userId}`;
		if (!this.sellers.has(key)) {
			this.sellers.set(
				key,
				'email' in seller
					? prepared(tx, sellerByEmail).get({ email: normalizeEmail(seller.email) })
					: prepared(tx, sellerById).get({ id: seller.userId })
			);
		}
		return this.sellers.get(key);
	}

	/** The person's live season (the most recently started, as getLiveSeasonFor) and team. */
	seasonOf(tx: Queryable, userId: number, chosenSeasonId?: number) {
		const key = chosenSeasonId == null ? userId : `${userId}:${chosenSeasonId}`;
		let found = this.seasons.get(key);
		if (!found) {
			const row =
				chosenSeasonId == null
					? prepared(tx, latestLiveMembership).get({ userId })
					: prepared(tx, chosenLiveMembership).get({ userId, seasonId: chosenSeasonId });
			if (row) {
				const { seasonId, ...membership } = row;
				if (!this.seasonRows.has(seasonId)) this.seasonRows.set(seasonId, getSeason(tx, seasonId));
				found = { season: this.seasonRows.get(seasonId), membership };
			} else found = {};
			this.seasons.set(key, found);
		}
		return found as
			{ season: Season; membership: Membership } | { season: undefined; membership: undefined };
	}

	scoring(tx: Queryable, seasonId: number) {
		let found = this.scorings.get(seasonId);
		if (!found) {
			const products = listProducts(tx, seasonId);
			found = {
				bySku: new Map(products.map((p) => [p.sku, p])),
				catalogue: catalogueOf(products),
				rules: engineRules(tx, seasonId)
			};
			this.scorings.set(seasonId, found);
		}
		return found;
	}
}

interface Seller {
	id: number;
	email: string;
	displayName: string;
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
			now
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
