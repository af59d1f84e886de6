import * as z from 'zod';
import type { SaleSource, SaleStatus } from '../db/schema';
import type { BuiltRow } from '../db/prepared';
import {
	INTEGRATION_SOURCES,
	insertLine,
	insertSale,
	integrationSale,
	recordedLines,
	seasonVersion,
	sourceSale
} from './sale-queries';
import { SaleLookups } from './sale-lookups';
import { score, ScoringError } from '../../contest/scoring';
import type { ScoreBreakdown } from '../../contest/types';
import type { ActivityItem } from '../../realtime/events';
import { entryDelta, insertLedgerEntryInWrite, type NewEntry } from './ledger';
import {
	contextOf,
	dayKeyOf,
	saleTotals,
	withSale,
	type DayKey,
	type DayOf,
	type DayTotals
} from './person-day';
import type { WriteBatch } from './write-batch';
import type { EntryValues } from './sale-rows';
import { enqueueWebhooksInWrite } from '../webhooks/delivery';
import { preparedQuery, type Store, type StoreDb } from '../db/store';
import { readsAhead } from '../db/many-rows';
import { AppError, type AppErrorOptions } from '../shared/errors';
import { confirmReferralBySaleInWrite } from '../referrals/decide';

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

/**
 * A whole number as typed in a form field or a CSV cell: decimal digits only. `Number()` would
 * also read "0x10" as 16, "1e3" as 1000 and "" as 0.
 */
export const WHOLE_NUMBER = /^\d+$/;
/** An amount as typed in a CSV cell, in main units with at most two decimals: "1099.90". */
export const PLAIN_AMOUNT = /^\d+(?:\.\d{1,2})?$/;

/** Default of a season's ceiling on one sale's points (season.maxSalePoints). */
export const DEFAULT_MAX_SALE_POINTS = 100_000;

/** A sale's fields, defined once; the API, the sell form and the import compose them. */
export const saleFields = {
	externalId: z.string().trim().min(1).max(SALE_LIMITS.externalId),
	sellerEmail: z.email().max(SALE_LIMITS.email),
	sku: z.string().trim().min(1).max(SALE_LIMITS.sku),
	/** A JSON number: an integer (1.5 and "2" are refused). */
	quantity: z
		.number()
		.int('quantity must be a whole number')
		.min(1)
		.max(SALE_LIMITS.quantity, `quantity must be at most ${SALE_LIMITS.quantity}`),
	/** A JSON number in main units: at most two decimals (cents). */
	unitPrice: z
		.number()
		.min(0)
		.max(
			SALE_LIMITS.unitPrice,
			`unitPrice is too large (at most ${SALE_LIMITS.unitPrice.toLocaleString('en')})`
		)
		.refine(
			(n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-6,
			'unitPrice has at most two decimals (cents)'
		),
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

/**
 * The externalId (idempotency key) was already used for a sale with other content. Like Stripe's
 * idempotency keys: the same key with the same sale replays the first answer, with a different
 * sale it is refused (the API answers 409 `idempotency_conflict`). `details.differs` names what
 * differs: seller, occurredAt, lines, customerRef or season. Imports report it per row.
 */
export class IdempotencyConflictError extends AppError {
	constructor(
		readonly externalId: string,
		readonly differs: string[]
	) {
		super(
			409,
			'idempotency_conflict',
			`externalId ${externalId} was already used for a different sale`,
			{
				details: { externalId, differs }
			}
		);
		this.name = 'IdempotencyConflictError';
	}
}

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
	/** Why the sale waits for a manager although its season needs no confirmation. */
	flagReason: string | null;
	breakdown?: ScoreBreakdown;
}

// Clocks drift between a phone, a CRM and this server: a little "future" is tolerated.
const FUTURE_TOLERANCE = 5 * 60 * 1000;

/** A recorded sale plus the feed item to publish once its transaction has committed. */
export type RecordedInTx = RecordedSale & { activity?: ActivityItem };

type RecordedRow = BuiltRow<typeof integrationSale>;

/**
 * What differs between a recorded sale and a new request with its externalId (empty: the same
 * sale, sent again). Only what the request states is compared: lines without a unit price (the
 * sell form's) take the catalogue's, which may have changed since; only the integrations (API,
 * import) state a sale's time, the sell form's and the demo's is the clock's; a missing
 * customerRef states none (the CSV file has no such column).
 */
function differences(
	existing: RecordedRow,
	input: RecordSaleInput,
	sellerId: number | undefined,
	storedLines: { sku: string; quantity: number; unitPrice: number }[]
): string[] {
	const differs: string[] = [];
	if (sellerId !== existing.sellerId) differs.push('seller');
	if (INTEGRATION_SOURCES.has(input.source) && input.occurredAt !== existing.occurredAt)
		differs.push('occurredAt');
	if (input.seasonId != null && input.seasonId !== existing.seasonId) differs.push('season');
	if (input.customerRef && input.customerRef.trim() !== (existing.customerRef ?? ''))
		differs.push('customerRef');
	const withPrice = input.lines.every((l) => l.unitPrice !== undefined);
	const key = (l: { sku: string; quantity: number; unitPrice?: number }) =>
		`${l.sku}\u0000${l.quantity}\u0000${withPrice ? l.unitPrice : ''}`;
	const sent = input.lines.map(key).sort();
	const stored = storedLines.map(key).sort();
	if (sent.length !== stored.length || sent.some((k, i) => k !== stored[i])) differs.push('lines');
	return differs;
}

/** The first answer of a recorded sale, replayed (`differs` empty) at the season's version. */
function replayed(
	existing: RecordedRow,
	input: RecordSaleInput,
	differs: string[],
	version: number
): RecordedSale {
	if (differs.length > 0) throw new IdempotencyConflictError(input.externalId, differs);
	return {
		sale: { id: existing.id, status: existing.status, points: existing.points },
		seasonId: existing.seasonId,
		version,
		created: false,
		flagReason: existing.flagReason
	};
}

/**
 * The first answer again when this externalId was recorded before (one indexed lookup), null
 * for a new sale; IdempotencyConflictError when the id was used for a different sale. Reads
 * only, inside a write (a group's sale, an import's window).
 */
export async function replayInWrite(
	tx: StoreDb,
	store: Store,
	input: RecordSaleInput,
	lookups: SaleLookups = new SaleLookups()
): Promise<RecordedSale | null> {
	// The API and CSV imports share one id space (the CRM's ids): a sale sent by one and then
	// the other is the same sale, counted once.
	if (!lookups.mayBeReplay(input.source, input.externalId)) return null;
	const [existing] = INTEGRATION_SOURCES.has(input.source)
		? await preparedQuery(tx, store, integrationSale).execute({ externalId: input.externalId })
		: await preparedQuery(tx, store, sourceSale).execute({
				source: input.source,
				externalId: input.externalId
			});
	if (!existing) return null;
	const seller = await lookups.sellerInWrite(tx, store, input.seller);
	const lines = await preparedQuery(tx, store, recordedLines).execute({ saleId: existing.id });
	const differs = differences(existing, input, seller?.id, lines);
	const [current] = await preparedQuery(tx, store, seasonVersion).execute({
		seasonId: existing.seasonId
	});
	return replayed(existing, input, differs, current.version);
}

/**
 * Records a sale inside a write (a group of sales, group-commit.ts; the tests' recordOn), on
 * both dialects: its reads and rows awaited through `tx` (the per-sale queries built once,
 * preparedQuery), the standings, days and versions held in `writes` and written by its
 * finishInWrite before the write commits. The same (source, externalId) with the same sale again
 * answers the first result and changes nothing; with a different sale it throws
 * IdempotencyConflictError. A sale above its season's maxSalePoints is kept pending with a
 * flagReason. Publishes nothing; the people whose standing moved
 * are in `writes.moved`. A refusal (an AppError) comes from planSaleInWrite, before anything of
 * the sale is written.
 */
export async function recordSaleInWrite(
	tx: StoreDb,
	store: Store,
	input: RecordSaleInput,
	now: number,
	lookups: SaleLookups,
	writes: WriteBatch
): Promise<RecordedInTx> {
	const planned = await planSaleInWrite(tx, store, input, now, lookups, writes);
	return 'replay' in planned
		? planned.replay
		: writeSaleInWrite(tx, store, planned, now, lookups, writes);
}

/** What planSaleInWrite decided: the sale's replay, or the plan of its rows. */
export type PlannedSale =
	{ replay: RecordedInTx } | { plan: ReturnType<typeof planSale>; dayKey: DayKey; day: DayTotals };

/**
 * Everything recordSaleInWrite reads and decides before it writes: the replay of a known
 * externalId, or the sale's plan. It writes nothing, so a sale it refuses (its AppError) needs
 * no savepoint to leave the write as it was: the group commit takes the refusals here and
 * writes the planned sales without one (two statements fewer per sale, two round trips on
 * PostgreSQL; docs/benchmarks.md, "A group's sales without savepoints").
 */
export async function planSaleInWrite(
	tx: StoreDb,
	store: Store,
	input: RecordSaleInput,
	now: number,
	lookups: SaleLookups,
	writes: WriteBatch
): Promise<PlannedSale> {
	const replay = await replayInWrite(tx, store, input, lookups);
	if (replay) return { replay };

	const seller = await lookups.sellerInWrite(tx, store, input.seller);
	if (!seller) throw saleRefused('unknown_seller', 'No user has this email', { field: 'seller' });
	const { season, membership } = await lookups.seasonOfInWrite(
		tx,
		store,
		seller.id,
		input.seasonId
	);
	checkSaleSeason(input, now, seller, season);
	const scoring = await lookups.scoringInWrite(tx, store, season.id);
	const { key: dayKey } = saleDay(input, seller, season);
	const day = await writes.dayInWrite(tx, store, dayKey, season.timeZone);
	return { plan: planSale(input, now, seller, season, membership, scoring, day), dayKey, day };
}

/** The local day (its season's time zone) a sale falls on: planSaleInWrite's, the read ahead's. */
function saleDay(input: RecordSaleInput, seller: Seller, season: LiveSeason): DayOf {
	return {
		key: dayKeyOf(season.id, seller.id, input.occurredAt, season.timeZone),
		timeZone: season.timeZone
	};
}

/**
 * Reads ahead into `writes` the days of many sales about to be planned in one write (a group of
 * API sales, group-commit.ts; an import's window), where planSaleInWrite read each seller's day
 * new to the batch alone: on PostgreSQL a round trip each, the largest per-sale query left there
 * for groups of many sellers. Each sale's day is the one planSaleInWrite finds, from the same
 * lookups (memoised: read here, not again there); a sale whose seller or season is missing is
 * refused there and has none, one known to be sent before (prefetchReplaysInWrite) is skipped.
 * Nothing on SQLite (db/many-rows.ts readsAhead).
 */
export async function readDaysAheadInWrite(
	tx: StoreDb,
	store: Store,
	inputs: readonly RecordSaleInput[],
	lookups: SaleLookups,
	writes: WriteBatch
): Promise<void> {
	if (!readsAhead(store)) return;
	const days: DayOf[] = [];
	for (const input of inputs) {
		if (lookups.knownReplay(input.source, input.externalId)) continue;
		const seller = await lookups.sellerInWrite(tx, store, input.seller);
		if (!seller) continue;
		const { season } = await lookups.seasonOfInWrite(tx, store, seller.id, input.seasonId);
		if (season) days.push(saleDay(input, seller, season));
	}
	await writes.readDaysInWrite(tx, store, days, (key) => lookups.dayReadAhead(key));
}

/**
 * Writes a planned sale: its rows and ledger entry (held in `writes.rows` when the batch holds
 * rows, an import's window or a group of API sales on PostgreSQL: written by its finishInWrite),
 * its webhooks and referral, then its place in the batch. It refuses nothing (no AppError): what
 * fails here is the database, and the caller's whole write fails with it.
 */
export async function writeSaleInWrite(
	tx: StoreDb,
	store: Store,
	{ plan, dayKey, day }: Extract<PlannedSale, { plan: unknown }>,
	now: number,
	lookups: SaleLookups,
	writes: WriteBatch
): Promise<RecordedInTx> {
	const { saleRow, entry, input, season } = plan;
	let entryId = 0;
	if (writes.rows) {
		// Held, written with the batch's other new rows by finishInWrite (sale-rows.ts).
		saleRow.id = entry.saleId = await writes.rows.addInWrite(
			tx,
			store,
			plan.saleValues,
			plan.lineValues,
			heldEntry(plan, now),
			INTEGRATION_SOURCES.has(input.source),
			plan.categories
		);
	} else {
		const [row] = await preparedQuery(tx, store, insertSale).execute(plan.saleValues);
		saleRow.id = entry.saleId = row.id;
		const lineInsert = preparedQuery(tx, store, insertLine);
		for (const line of plan.lineValues) await lineInsert.execute({ saleId: row.id, ...line });
		entryId = await insertLedgerEntryInWrite(tx, store, entry, now);
	}
	if (!plan.provisional) {
		const subscribers = await lookups.webhooksInWrite(tx, store);
		await enqueueWebhooksInWrite(
			tx,
			store,
			'sale.confirmed',
			confirmedEvent(plan),
			now,
			subscribers
		);
		// The customer's first confirmed sale confirms their referral (standings move directly;
		// the season's version moves with this sale's). The referral refers to the sale's row:
		// held rows are written first.
		if (input.customerRef) await writes.rows?.writeInWrite(tx, store);
		await confirmReferralBySaleInWrite(
			tx,
			store,
			{ id: saleRow.id, seasonId: season.id, customerRef: input.customerRef || null },
			now,
			writes.moved
		);
	}
	holdInBatch(
		writes,
		plan,
		entryId,
		dayKey,
		withSale(day, saleTotals(plan.breakdown.total, plan.stored))
	);
	return recordedAnswer(plan, 0);
}

/** A planned sale's ledger entry as SaleRows holds it (the same JSON for sale and entry). */
function heldEntry({ entry, saleValues }: ReturnType<typeof planSale>, now: number): EntryValues {
	// Note: the entry's values named one by one: a spread of `entry` cost ~8 µs a sale.
	return {
		seasonId: entry.seasonId,
		userId: entry.userId,
		teamId: entry.teamId,
		kind: entry.kind,
		points: entry.points,
		status: entry.status,
		breakdown: saleValues.breakdown,
		reason: null,
		createdById: entry.createdById ?? null,
		createdAt: now
	};
}

/** The `sale.confirmed` event of a sale recorded confirmed (its season needs no review). */
function confirmedEvent({ input, seller, season, saleRow }: ReturnType<typeof planSale>) {
	return {
		sale: {
			id: saleRow.id,
			externalId: input.externalId,
			source: input.source,
			points: saleRow.points,
			seller: { id: seller.id, email: seller.email, name: seller.displayName }
		},
		seasonId: season.id,
		reason: null
	};
}

/**
 * A recorded sale joins its batch, last, once nothing of that sale can fail any more (see
 * WriteBatch): its standing delta, its day's new totals, its season's version, and (when its
 * entry was written, `entryId` not 0) the entry as the group's badge facts take it (catchUpFacts's
 * `held`: its products' categories each once in line order, as the facts' query reads them).
 */
function holdInBatch(
	batch: WriteBatch,
	plan: ReturnType<typeof planSale>,
	entryId: number,
	dayKey: DayKey,
	dayAfter: DayTotals
): void {
	const { input, season, seller, membership, saleRow, entry } = plan;
	if (entryId !== 0)
		batch.addEntry({
			id: entryId,
			saleId: saleRow.id,
			kind: 'sale',
			points: entry.points,
			seasonId: season.id,
			userId: seller.id,
			teamId: membership.teamId,
			occurredAt: input.occurredAt,
			amount: plan.amount,
			status: saleRow.status,
			categories: plan.categories
		});
	batch.addStanding(entry, entryDelta(entry, 1));
	batch.setDay(dayKey, dayAfter);
	batch.touchSeason(season.id);
}

type Seller = NonNullable<Awaited<ReturnType<SaleLookups['sellerInWrite']>>>;
type Found = Awaited<ReturnType<SaleLookups['seasonOfInWrite']>>;
type LiveSeason = NonNullable<Found['season']>;
type Membership = NonNullable<Found['membership']>;

/** Refuses a sale its seller's season cannot count: no live season, or a time outside it. */
function checkSaleSeason(
	input: RecordSaleInput,
	now: number,
	seller: Seller,
	season: Found['season']
): asserts season is LiveSeason {
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
}

/**
 * A new sale decided from what was read, before anything is written: its score (refused with the
 * scoring's code), whether it waits for a manager, and the rows it writes. No I/O, so that every
 * body that records a sale shares it (docs/postgres.md, "The core, in steps").
 */
function planSale(
	input: RecordSaleInput,
	now: number,
	seller: Seller,
	season: LiveSeason,
	membership: Membership,
	{ bySku, catalogue, rules }: Awaited<ReturnType<SaleLookups['scoringInWrite']>>,
	day: DayTotals
) {
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
			contextOf(day, season.timeZone, season.multiplierMode)
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

	// A sale worth more than the season's ceiling is recorded but waits for a manager: a typo
	// (10000 instead of 10) or a faulty integration must not win the contest by itself.
	const flagReason =
		breakdown.total > season.maxSalePoints
			? `${breakdown.total.toLocaleString('en')} points is above this season's limit of ${season.maxSalePoints.toLocaleString('en')} per sale: check it before confirming`
			: null;
	const provisional = season.requireConfirmation || flagReason !== null;
	const amount = lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
	const saleRow = {
		id: 0,
		status: (provisional ? 'pending' : 'approved') as SaleStatus,
		points: breakdown.total
	};
	const stored = { lines: breakdown.lines, items: breakdown.items };
	const saleValues = {
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
		flagReason,
		breakdown: JSON.stringify(stored),
		createdById: input.createdById ?? null,
		createdAt: now
	};
	const lineValues = lines.map((line, i) => ({
		productId: bySku.get(line.sku)!.id,
		quantity: line.quantity,
		unitPrice: line.unitPrice,
		points: breakdown.lines[i].points
	}));
	const entry: NewEntry = {
		seasonId: season.id,
		userId: seller.id,
		teamId: membership.teamId,
		saleId: null,
		kind: 'sale',
		points: breakdown.total,
		status: provisional ? 'provisional' : 'confirmed',
		breakdown: stored,
		createdById: input.createdById ?? null
	};
	return {
		input,
		seller,
		season,
		membership,
		lines,
		// Each product's category once, in line order (as the badge facts read a sale's).
		categories: [...new Set(lines.map((line) => bySku.get(line.sku)!.category))],
		breakdown,
		stored,
		flagReason,
		provisional,
		amount,
		saleRow,
		saleValues,
		lineValues,
		entry
	};
}

/** A recorded sale's answer and its feed item, once its row has an id (plan.saleRow.id). */
function recordedAnswer(plan: ReturnType<typeof planSale>, version: number): RecordedInTx {
	const { input, seller, season, membership, breakdown, provisional, saleRow } = plan;
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
		flagReason: plan.flagReason,
		breakdown,
		activity
	};
}

// For bench/ingest.ts only: HONORBOARD_BENCH_SALE_BADGES=0 measures the sale path without the
// group's badge step (sale-awards.ts), to report ingest with badges on and off.
export const saleBadges = process.env.HONORBOARD_BENCH_SALE_BADGES !== '0';
