import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import type { StoreDb, Tables } from '../db/store';
import { localDay } from '../rules/engine';
import { countedSaleOf } from './counting';
import {
	emptyRecalculation,
	linesBySale,
	scoreSales,
	type Recalculation,
	type SaleToScore,
	type SeasonScoring
} from './recalculate';

// One person's step of a season recalculation, cut into chunks (issue #13): one step per person
// made a slice as long as that person's sales took (80 ms for a person with many sales at
// 200,000). What a sale's new points depend on is its seller's earlier counted sales of the
// same local day (first-sale bonus, daily caps: contest/scoring.ts), nothing across days, so a
// chunk is a run of whole local days holding about CHUNK_SALES sales, taken in time order.
// Within a chunk sales are scored in registration order, as they were first scored.
//
// Each chunk reads its days' sales in the slice's own transaction, so a sale recorded between
// two chunks of its seller is counted once with the new rules: on a day already done, it is
// scored as any new sale (scoring/sales.ts) against day totals dropped with that day's old breakdowns and filled
// again from the new ones; on a day still to come, the chunk that does that day replays it with
// the day's other sales and books the difference. The person's activities (logged by hand, far
// fewer) are scored with their last chunk, all at once.

/**
 * About how many sales one chunk scores at most (more when its last day holds more); the run
 * asks for fewer when its slice has less time left (recalculate-slices.ts).
 */
const CHUNK_SALES = 64;
let chunkSales = CHUNK_SALES;

/**
 * Tests: smaller chunks (at least 1: a chunk is then one local day); undefined restores 64.
 * Returns the size it replaces.
 */
export function setRecalculationChunkSales(sales: number | undefined): number {
	const was = chunkSales;
	chunkSales = Math.max(1, sales ?? CHUNK_SALES);
	return was;
}

/** Before any sale, after every sale: the bounds of a person's first and last chunk. */
const FIRST = Number.MIN_SAFE_INTEGER;
const LAST = Number.MAX_SAFE_INTEGER;

/** A person's recalculation between chunks: the next day to do and their points so far. */
export interface PersonCursor {
	userId: number;
	name: string;
	/** Start of the next local day to do (epoch ms): the sales before it are done. */
	from: number;
	done: boolean;
	before: number;
	after: number;
}

/** A person's cursor before their first chunk. */
export function cursorOf(userId: number, row: { name: string } | undefined): PersonCursor {
	return { userId, name: row?.name ?? '', from: FIRST, done: false, before: 0, after: 0 };
}

/** What one chunk decided: its plan and the local days [from, to) it covered. */
export interface Chunk {
	userId: number;
	from: number;
	to: number;
	plan: Recalculation;
	/** Its counted sales as read (team, status): what booking its changes needs. */
	sales: ChunkSale[];
}

/** A counted sale of a chunk, with what booking a change of its points needs. */
export type ChunkSale = SaleToScore & { teamId: number; status: string };

// Any sale of the person (whatever its status: this only sizes the chunk) `skip` sales on from
// `from` in time order, by the index (season, seller, occurred_at).
export const nthSaleFrom = (db: StoreDb, { sale }: Tables) =>
	db
		.select({ at: sale.occurredAt })
		.from(sale)
		.where(
			and(
				eq(sale.seasonId, sql.placeholder('seasonId')),
				eq(sale.sellerId, sql.placeholder('userId')),
				gte(sale.occurredAt, sql.placeholder('from'))
			)
		)
		.orderBy(asc(sale.occurredAt))
		.limit(1)
		.offset(sql.placeholder('skip'))
		.prepare('recalc_nth_sale_from');

const inChunk = ({ sale }: Tables) =>
	and(
		eq(sale.seasonId, sql.placeholder('seasonId')),
		eq(sale.sellerId, sql.placeholder('userId')),
		gte(sale.occurredAt, sql.placeholder('from')),
		lt(sale.occurredAt, sql.placeholder('to'))
	);

export const salesOfChunk = (db: StoreDb, t: Tables) =>
	db
		// Team and status too: the run books the changes from these rows in the same transaction,
		// where reading them again was a round trip per chunk on PostgreSQL.
		.select({
			id: t.sale.id,
			occurredAt: t.sale.occurredAt,
			points: t.sale.points,
			teamId: t.sale.teamId,
			status: t.sale.status
		})
		.from(t.sale)
		.where(and(inChunk(t), countedSaleOf(t.sale)))
		.orderBy(asc(t.sale.id))
		.prepare('recalc_sales_of_chunk');

export const linesOfChunk = (db: StoreDb, t: Tables) =>
	db
		.select({
			saleId: t.saleLine.saleId,
			sku: t.product.sku,
			quantity: t.saleLine.quantity,
			unitPrice: t.saleLine.unitPrice
		})
		.from(t.saleLine)
		.innerJoin(t.sale, eq(t.sale.id, t.saleLine.saleId))
		.innerJoin(t.product, eq(t.product.id, t.saleLine.productId))
		.where(
			and(inChunk(t), countedSaleOf(t.sale), eq(t.product.seasonId, sql.placeholder('seasonId')))
		)
		.orderBy(asc(t.saleLine.id))
		.prepare('recalc_lines_of_chunk');

export const personName = (db: StoreDb, { user }: Tables) =>
	db
		.select({ name: user.displayName })
		.from(user)
		.where(eq(user.id, sql.placeholder('userId')))
		.prepare('recalc_person_name');

/** How many sales on from the cursor the chunk's last sale is (nthSaleFrom's `skip`). */
export function chunkSkip(sales: number): number {
	return Math.max(0, Math.min(chunkSales, Math.floor(sales)) - 1);
}

/** The end of a chunk: the end of its last sale's local day, or after every sale. */
export function chunkEnd(ctx: SeasonScoring, nth: { at: number } | undefined): number {
	return nth ? localDay(nth.at, ctx.season.timeZone)[1] : LAST;
}

/**
 * Scores a chunk's sales into a plan of its own and moves the cursor past it; true when it was
 * the person's last (their activities are then to be added: addActivities).
 */
export function scoreChunk(
	ctx: SeasonScoring,
	cursor: PersonCursor,
	to: number,
	counted: ChunkSale[],
	lines: Parameters<typeof linesBySale>[0]
): { chunk: Chunk; last: boolean } {
	const plan = emptyRecalculation();
	const chunk = { userId: cursor.userId, from: cursor.from, to, plan, sales: counted };
	scoreSales(ctx, cursor, counted, linesBySale(lines), plan);
	cursor.from = to;
	return { chunk, last: to === LAST };
}
