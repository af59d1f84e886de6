import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Queryable } from '../db';
import { product, sale, saleLine, user } from '../db/schema';
import { prepared } from '../db/prepared';
import { localDay } from '../rules/engine';
import type { Actor } from '../audit/record';
import { applyActivityRescore } from '../activities/rescore';
import { countedSale } from './counting';
import { forgetPersonDaysBetween } from './person-day';
import {
	bookSaleChanges,
	emptyRecalculation,
	finishPerson,
	linesBySale,
	scoreSales,
	type Recalculation,
	type SeasonScoring
} from './recalculate';

// One person's step of a season recalculation, cut into chunks (issue #13): one step per person
// made a slice as long as that person's sales took (80 ms for a person with many sales at
// 200,000). What a sale's new points depend on is its seller's earlier counted sales of the
// same local day (first-sale bonus, daily caps: contest/scoring.ts), nothing across days, so a
// chunk is a run of whole local days holding about CHUNK_SALES sales, taken in time order.
// Within a chunk sales are scored in registration order, as the one-block recalculation does.
//
// Each chunk reads its days' sales in the slice's own transaction, so a sale recorded between
// two chunks of its seller is counted once with the new rules: on a day already done, it is
// scored by recordSale against day totals dropped with that day's old breakdowns and filled
// again from the new ones; on a day still to come, the chunk that does that day replays it with
// the day's other sales and books the difference. The person's activities (logged by hand, far
// fewer) are scored with their last chunk, all at once.

/**
 * About how many sales one chunk scores at most (more when its last day holds more); the run
 * asks for fewer when its slice has less time left (recalculate-run.ts).
 */
const CHUNK_SALES = 64;
let chunkSales = CHUNK_SALES;

/** Tests: smaller chunks (at least 1: a chunk is then one local day); undefined restores 64. */
export function setRecalculationChunkSales(sales: number | undefined) {
	chunkSales = Math.max(1, sales ?? CHUNK_SALES);
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

export function startPerson(tx: Queryable, userId: number): PersonCursor {
	const row = tx.select({ name: user.displayName }).from(user).where(eq(user.id, userId)).get();
	return { userId, name: row?.name ?? '', from: FIRST, done: false, before: 0, after: 0 };
}

/** What one chunk decided: its plan and the local days [from, to) it covered. */
export interface Chunk {
	userId: number;
	from: number;
	to: number;
	plan: Recalculation;
}

// Any sale of the person (whatever its status: this only sizes the chunk) `skip` sales on from
// `from` in time order, by the index (season, seller, occurred_at).
const nthSaleFrom = (db: Queryable) =>
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
		.prepare();

const inChunk = and(
	eq(sale.seasonId, sql.placeholder('seasonId')),
	eq(sale.sellerId, sql.placeholder('userId')),
	gte(sale.occurredAt, sql.placeholder('from')),
	lt(sale.occurredAt, sql.placeholder('to'))
);

const salesOfChunk = (db: Queryable) =>
	db
		.select({ id: sale.id, occurredAt: sale.occurredAt, points: sale.points })
		.from(sale)
		.where(and(inChunk, countedSale))
		.orderBy(asc(sale.id))
		.prepare();

const linesOfChunk = (db: Queryable) =>
	db
		.select({
			saleId: saleLine.saleId,
			sku: product.sku,
			quantity: saleLine.quantity,
			unitPrice: saleLine.unitPrice
		})
		.from(saleLine)
		.innerJoin(sale, eq(sale.id, saleLine.saleId))
		.innerJoin(product, eq(product.id, saleLine.productId))
		.where(and(inChunk, countedSale, eq(product.seasonId, sql.placeholder('seasonId'))))
		.orderBy(asc(saleLine.id))
		.prepare();

const targetsOfChunk = (db: Queryable) =>
	db
		.select({ id: sale.id, teamId: sale.teamId, status: sale.status })
		.from(sale)
		.where(inChunk)
		.prepare();

/**
 * Decides the person's next chunk (changes nothing) and moves the cursor past it: the local
 * days from `cursor.from` to the end of the day of their n-th sale from there (n = `sales`, at
 * most CHUNK_SALES, at least 1), or all their remaining sales and then their activities.
 */
export function planChunk(
	tx: Queryable,
	ctx: SeasonScoring,
	cursor: PersonCursor,
	sales = chunkSales
): Chunk {
	const seasonId = ctx.season.id;
	const { userId, from } = cursor;
	const skip = Math.max(0, Math.min(chunkSales, Math.floor(sales)) - 1);
	const nth = prepared(tx, nthSaleFrom).get({ seasonId, userId, from, skip });
	const to = nth ? localDay(nth.at, ctx.season.timeZone)[1] : LAST;
	const range = { seasonId, userId, from, to };
	const counted = prepared(tx, salesOfChunk).all(range);
	const lines = prepared(tx, linesOfChunk).all(range);
	const plan = emptyRecalculation();
	scoreSales(ctx, cursor, counted, linesBySale(lines), plan);
	cursor.from = to;
	if (to === LAST) {
		finishPerson(tx, ctx, cursor, plan);
		cursor.done = true;
	}
	return { userId, from, to, plan };
}

/** Books a chunk's plan (as applyPerson books a person's), in the same transaction. */
export function applyChunk(
	tx: Queryable,
	seasonId: number,
	chunk: Chunk,
	actor: Actor,
	now: number
): void {
	const { userId, from, to, plan } = chunk;
	if (plan.changes.length > 0) {
		const targets = prepared(tx, targetsOfChunk).all({ seasonId, userId, from, to });
		bookSaleChanges(tx, seasonId, userId, plan.changes, targets, actor, now);
		// These days' rule awards came from the old breakdowns: refilled from the new ones on demand.
		forgetPersonDaysBetween(tx, seasonId, userId, from, to);
	}
	applyActivityRescore(tx, seasonId, plan.activityChanges, actor, now);
}
