import type { Db, Queryable } from '../db';
import type { SaleSource, SaleStatus } from '../db/schema';
import { statement } from '../db/statements';
import { score, ScoringError } from '../../contest/scoring';
import type { CatalogueItem, ScoreBreakdown } from '../../contest/types';
import type { Rule } from '../../contest/rules';
import type { Season } from '../db/schema';
import type { ActivityItem } from '../../realtime/events';
import { catalogueOf, getMembership, getSeason, listProducts } from '../seasons/queries';
import { bumpVersion } from './standings';
import { appendEntry } from './ledger';
import { engineRules, sellerDayContext } from '../rules/engine';
import { notifyLeaderboard, publishActivity } from '../realtime/publish';
import { evaluateAwards } from '../badges/awards';
import { enqueueWebhooks } from '../webhooks/delivery';
import { normalizeEmail } from '../people/users';
import { systemClock, type Clock } from '../shared/clock';

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
			const columns = 'SELECT id, email, display_name AS displayName FROM user';
			this.sellers.set(
				key,
				('email' in seller
					? statement(tx, `${columns} WHERE email = ?`).get(normalizeEmail(seller.email))
					: statement(tx, `${columns} WHERE id = ?`).get(seller.userId)) as Seller | undefined
			);
		}
		return this.sellers.get(key);
	}

	/** The person's live season (the most recently started, as getLiveSeasonFor) and team. */
	seasonOf(tx: Queryable, userId: number, chosenSeasonId?: number) {
		const key = chosenSeasonId == null ? userId : `${userId}:${chosenSeasonId}`;
		let found = this.seasons.get(key);
		if (!found) {
			const row = statement(
				tx,
				`SELECT m.season_id AS seasonId, t.id AS teamId, t.name AS teamName, t.emoji AS teamEmoji, t.color AS teamColor
				 FROM season_member m JOIN season s ON s.id = m.season_id JOIN team t ON t.id = m.team_id
				 WHERE s.status = 'live' AND m.user_id = ? AND (? IS NULL OR s.id = ?)
				 ORDER BY s.starts_at DESC, s.id DESC LIMIT 1`
			).get(userId, chosenSeasonId ?? null, chosenSeasonId ?? null) as
				(Membership & { seasonId: number }) | undefined;
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
	// The per-sale statements below are cached prepared statements: an import runs them
	// hundreds of thousands of times (see db/statements.ts).
	// The API and CSV imports share one id space (the CRM's ids): a sale sent by one and then
	// the other is the same sale, counted once.
	const existing = (
		INTEGRATION_SOURCES.has(input.source)
			? statement(
					tx,
					`SELECT id, season_id AS seasonId, status, points FROM sale WHERE source IN ('api', 'import') AND external_id = ? LIMIT 1`
				).get(input.externalId)
			: statement(
					tx,
					'SELECT id, season_id AS seasonId, status, points FROM sale WHERE source = ? AND external_id = ?'
				).get(input.source, input.externalId)
	) as { id: number; seasonId: number; status: string; points: number } | undefined;
	if (existing) {
		const current = statement(tx, 'SELECT version FROM season WHERE id = ?').get(
			existing.seasonId
		) as { version: number };
		return {
			sale: { id: existing.id, status: existing.status, points: existing.points },
			seasonId: existing.seasonId,
			version: current.version,
			created: false
		} satisfies RecordedSale;
	}

	const seller = lookups.seller(tx, input.seller);
	if (!seller) throw new SaleError('unknown_seller', 'No user has this email', { field: 'seller' });

	const { season, membership } = lookups.seasonOf(tx, seller.id, input.seasonId);
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
	const saleRow = {
		id: 0,
		status: (provisional ? 'pending' : 'approved') as SaleStatus,
		points: breakdown.total
	};
	saleRow.id = (
		statement(
			tx,
			`INSERT INTO sale (season_id, source, external_id, seller_id, team_id, occurred_at, amount, customer_ref, status, points, breakdown, created_by_id, created_at)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
		).get(
			season.id,
			input.source,
			input.externalId,
			seller.id,
			membership.teamId,
			input.occurredAt,
			amount,
			input.customerRef || null,
			saleRow.status,
			breakdown.total,
			JSON.stringify({ lines: breakdown.lines, items: breakdown.items }),
			input.createdById ?? null,
			now
		) as { id: number }
	).id;
	const insertLine = statement(
		tx,
		'INSERT INTO sale_line (sale_id, product_id, quantity, unit_price, points) VALUES (?, ?, ?, ?, ?)'
	);
	lines.forEach((line, i) =>
		insertLine.run(
			saleRow.id,
			bySku.get(line.sku)!.id,
			line.quantity,
			line.unitPrice,
			breakdown.lines[i].points
		)
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
