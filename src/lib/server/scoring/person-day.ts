import { and, eq, gte, lt, sql } from 'drizzle-orm';
import type { Queryable } from '../db';
import type { LedgerBreakdown } from '../db/schema';
import { preparedQuery, type Store, type StoreDb, type Tables } from '../db/store';
import { insertRows, type ManyRows } from '../db/many-rows';
import { localDay, ruleAwards, salesOfDayInWrite } from '../rules/engine';
import { countedSaleOf } from './counting';
import type { MultiplierMode } from '../../contest/rules';
import type { ScoreContext } from '../../contest/scoring';

// A person's local day in a season, kept with the ledger (person_day): what daily rules (first
// sale of the day, daily caps) need, so that scoring a sale reads one row instead of the seller's
// sales of the day. It counts the sales that count (pending or approved), like the scan it
// replaces (rules/engine.ts readSellerDayContext), and moves with them:
// - a new sale adds itself (scoring/sales.ts, through its WriteBatch);
// - a rejection or a reversal takes the sale out (review.ts, in a store's write);
// - a recalculation rewrites a person's breakdowns and drops the rows of the days it rescored
//   (recalculate-store.ts).
// A missing row (a day nobody scored since the table exists, or dropped) is filled from the sales
// when a sale first needs it, so the table never has to be complete to be right.

export interface DayTotals {
	sales: number;
	points: number;
	quantity: number;
	ruleAwards: Record<number, number>;
}

export type DayKey = {
	seasonId: number;
	userId: number;
	/** Start of the local day, epoch ms. */
	day: number;
};

// Store queries (`build(db, tables)`), awaited with preparedQuery inside a store's write
// (docs/postgres.md).
const readRow = (db: StoreDb, { personDay }: Tables) =>
	db
		.select({
			sales: personDay.sales,
			points: personDay.points,
			quantity: personDay.quantity,
			ruleAwards: personDay.ruleAwards
		})
		.from(personDay)
		.where(
			and(
				eq(personDay.seasonId, sql.placeholder('seasonId')),
				eq(personDay.userId, sql.placeholder('userId')),
				eq(personDay.day, sql.placeholder('day'))
			)
		)
		.prepare('person_day_read');

const writeRow = (db: StoreDb, { personDay }: Tables) =>
	db
		.insert(personDay)
		.values({
			seasonId: sql.placeholder('seasonId'),
			userId: sql.placeholder('userId'),
			day: sql.placeholder('day'),
			sales: sql.placeholder('sales'),
			points: sql.placeholder('points'),
			quantity: sql.placeholder('quantity'),
			ruleAwards: sql.placeholder('ruleAwards')
		})
		.onConflictDoUpdate({
			target: [personDay.seasonId, personDay.userId, personDay.day],
			set: {
				sales: sql`excluded.sales`,
				points: sql`excluded.points`,
				quantity: sql`excluded.quantity`,
				ruleAwards: sql`excluded.rule_awards`
			}
		})
		.prepare('person_day_write');

/** The key of the local day (in the season's time zone) a sale at `occurredAt` falls on. */
export function dayKeyOf(
	seasonId: number,
	userId: number,
	occurredAt: number,
	timeZone: string
): DayKey {
	return { seasonId, userId, day: localDay(occurredAt, timeZone)[0] };
}

/** A sale's contribution to its day: one sale, its points, its units, each rule's points. */
export function saleTotals(points: number, breakdown: LedgerBreakdown | null): DayTotals {
	return {
		sales: 1,
		points,
		quantity: (breakdown?.lines ?? []).reduce((sum, line) => sum + line.quantity, 0),
		ruleAwards: ruleAwards([breakdown?.items ?? []])
	};
}

/** A person_day row as read (its rule awards as their JSON text). */
export interface DayRow {
	sales: number;
	points: number;
	quantity: number;
	ruleAwards: string;
}

/** A day's totals from its row. */
export function stored(row: DayRow): DayTotals {
	return {
		sales: row.sales,
		points: row.points,
		quantity: row.quantity,
		ruleAwards: JSON.parse(row.ruleAwards) as Record<number, number>
	};
}

/**
 * The day's totals recomputed from its counted sales (what its row must equal), inside a store's
 * read or write.
 */
export async function recomputeDayInWrite(
	tx: StoreDb,
	store: Store,
	key: DayKey,
	timeZone: string
): Promise<DayTotals> {
	const [start, end] = localDay(key.day, timeZone);
	return sumOf(await salesOfDayInWrite(tx, store, key.seasonId, key.userId, start, end));
}

function sumOf(sales: { points: number; breakdown: LedgerBreakdown | null }[]): DayTotals {
	const totals: DayTotals = { sales: 0, points: 0, quantity: 0, ruleAwards: {} };
	for (const s of sales) add(totals, saleTotals(s.points, s.breakdown), 1);
	return totals;
}

function add(into: DayTotals, part: DayTotals, sign: 1 | -1): void {
	into.sales += sign * part.sales;
	into.points += sign * part.points;
	into.quantity += sign * part.quantity;
	for (const [ruleId, points] of Object.entries(part.ruleAwards)) {
		const next = (into.ruleAwards[Number(ruleId)] ?? 0) + sign * points;
		if (next === 0) delete into.ruleAwards[Number(ruleId)];
		else into.ruleAwards[Number(ruleId)] = next;
	}
}

/** writeRow's values for a day. */
function rowValues(key: DayKey, totals: DayTotals) {
	return {
		...key,
		sales: totals.sales,
		points: totals.points,
		quantity: totals.quantity,
		ruleAwards: JSON.stringify(totals.ruleAwards)
	};
}

export const MANY_DAYS: ManyRows = {
	table: 'person_day',
	columns: ['season_id', 'user_id', 'day', 'sales', 'points', 'quantity', 'rule_awards'],
	then: `ON CONFLICT (season_id, user_id, day) DO UPDATE SET sales = excluded.sales,
		points = excluded.points, quantity = excluded.quantity, rule_awards = excluded.rule_awards`
};

/**
 * Stores many days' totals (each row inserted or replaced), many rows per statement
 * (db/many-rows.ts).
 */
export function writeDays(tx: Queryable, days: Iterable<{ key: DayKey; totals: DayTotals }>): void {
	insertRows(tx, MANY_DAYS, manyDaysValues(days));
}

/**
 * MANY_DAYS' values of the days, one row after the other (a WriteBatch's days on PostgreSQL, in
 * one statement: scoring/write-batch.ts). Each day once: PostgreSQL refuses an upsert that meets
 * one key twice, and a WriteBatch holds a day by its key.
 */
export function manyDaysValues(days: Iterable<{ key: DayKey; totals: DayTotals }>): unknown[] {
	const values: unknown[] = [];
	for (const { key, totals } of days)
		values.push(
			key.seasonId,
			key.userId,
			key.day,
			totals.sales,
			totals.points,
			totals.quantity,
			JSON.stringify(totals.ruleAwards)
		);
	return values;
}

/** A day's key and its season's time zone (which gives the day's end). */
export interface DayOf {
	key: DayKey;
	timeZone: string;
}

// Many days at once on PostgreSQL (a group's or a window's, WriteBatch.readDaysInWrite): each key
// column's values bound as one array and unnested, as sale-queries.ts binds id lists there,
// numbered by `with ordinality` so that a row names the day it answers (`i`, from 1).
const daysAmongOnPg = (db: StoreDb, { personDay }: Tables) =>
	db
		.select({
			i: sql<number>`k.i`.mapWith(Number),
			sales: personDay.sales,
			points: personDay.points,
			quantity: personDay.quantity,
			ruleAwards: personDay.ruleAwards
		})
		.from(
			sql`unnest(${sql.placeholder('seasonIds')}::bigint[], ${sql.placeholder('userIds')}::bigint[],
				${sql.placeholder('days')}::bigint[]) with ordinality as k(season_id, user_id, day, i)`
		)
		.innerJoin(
			personDay,
			sql`${personDay.seasonId} = k.season_id and ${personDay.userId} = k.user_id
				and ${personDay.day} = k.day`
		)
		.prepare('person_day_among_pg');

// The counted sales of many days, each day [start, end) of its seller in its season (as
// rules/engine.ts salesOfSellerDay reads one), each day's read by the index on (season, seller,
// time). Note: `offset 0` keeps the lateral subquery a loop over the days: joined plainly,
// PostgreSQL hashed the days and scanned every sale of the table (170 ms against 0.6 ms for 15
// days among 400,000 sales, in custom and generic plans alike).
const salesOfDaysOnPg = (db: StoreDb, { sale }: Tables) =>
	db
		.select({
			i: sql<number>`k.i`.mapWith(Number),
			points: sql<number>`s.points`.mapWith(Number),
			breakdown: sql<LedgerBreakdown | null>`s.breakdown`
		})
		.from(
			sql`unnest(${sql.placeholder('seasonIds')}::bigint[], ${sql.placeholder('userIds')}::bigint[],
				${sql.placeholder('starts')}::bigint[], ${sql.placeholder('ends')}::bigint[])
				with ordinality as k(season_id, user_id, starts, ends, i)
			cross join lateral (
				select ${sale.points} as points, ${sale.breakdown} as breakdown from ${sale}
				where ${sale.seasonId} = k.season_id and ${sale.sellerId} = k.user_id
					and ${sale.occurredAt} >= k.starts and ${sale.occurredAt} < k.ends
					and ${countedSaleOf(sale)}
				offset 0
			) as s`
		)
		.prepare('person_day_sales_among_pg');

/**
 * dayTotalsInWrite of many days (PostgreSQL: WriteBatch.readDaysInWrite), in the order given:
 * the rows in one statement, then the sales of the days without one in one more. Days without a
 * row are not rare: an import of past sales meets mostly days nobody scored yet, and a read of
 * each one's sales alone would give back the round trips the rows' statement saved.
 */
export async function dayTotalsAmongInWrite(
	tx: StoreDb,
	store: Store,
	days: readonly DayOf[]
): Promise<DayTotals[]> {
	const totals: (DayTotals | undefined)[] = new Array(days.length);
	const rows = await preparedQuery(tx, store, daysAmongOnPg).execute({
		seasonIds: days.map((d) => d.key.seasonId),
		userIds: days.map((d) => d.key.userId),
		days: days.map((d) => d.key.day)
	});
	for (const { i, ...row } of rows) totals[i - 1] = stored(row);
	const rowless = days.flatMap((_, i) => (totals[i] ? [] : [i]));
	if (rowless.length === 0) return totals as DayTotals[];
	const summed = await rowlessDaysInWrite(
		tx,
		store,
		rowless.map((i) => days[i])
	);
	rowless.forEach((day, n) => (totals[day] = summed[n]));
	return totals as DayTotals[];
}

/**
 * The totals of days known to have no row (PostgreSQL), in the order given: their counted sales
 * summed, all in one statement.
 */
export async function rowlessDaysInWrite(
	tx: StoreDb,
	store: Store,
	days: readonly DayOf[]
): Promise<DayTotals[]> {
	const sales = await preparedQuery(tx, store, salesOfDaysOnPg).execute({
		seasonIds: days.map((d) => d.key.seasonId),
		userIds: days.map((d) => d.key.userId),
		starts: days.map((d) => localDay(d.key.day, d.timeZone)[0]),
		ends: days.map((d) => localDay(d.key.day, d.timeZone)[1])
	});
	const salesOf = days.map(() => [] as typeof sales);
	for (const s of sales) salesOf[s.i - 1].push(s);
	return salesOf.map(sumOf);
}

/**
 * The day's totals, inside a store's write (a sale recorded on the store, scoring/sales.ts): its
 * row, or (first time) its sales summed. Not stored here: the sale that asks stores its day with
 * itself (a WriteBatch); a refused sale's writes are undone anyway.
 */
export async function dayTotalsInWrite(
	tx: StoreDb,
	store: Store,
	key: DayKey,
	timeZone: string
): Promise<DayTotals> {
	const [row] = await preparedQuery(tx, store, readRow).execute(key);
	if (row) return stored(row);
	const [start, end] = localDay(key.day, timeZone);
	return sumOf(await salesOfDayInWrite(tx, store, key.seasonId, key.userId, start, end));
}

/** What the scoring engine needs to know about the seller's day before a new sale. */
export function contextOf(
	totals: DayTotals,
	timeZone: string,
	multipliers: MultiplierMode
): ScoreContext {
	return {
		timeZone,
		priorSalesToday: totals.sales,
		ruleAwardsToday: totals.ruleAwards,
		multipliers
	};
}

/** A day's totals with one more counted sale. */
export function withSale(before: DayTotals, sale: DayTotals): DayTotals {
	const after: DayTotals = { ...before, ruleAwards: { ...before.ruleAwards } };
	add(after, sale, 1);
	return after;
}

/**
 * A sale stopped counting (rejected or reversed, review.ts): it leaves its day, inside the
 * review's write of the store (db/store.ts). A day without a row is left alone: it will be
 * filled from the sales, without this one, when next needed.
 */
export async function removeSaleFromDayInWrite(
	tx: StoreDb,
	store: Store,
	sale: {
		seasonId: number;
		sellerId: number;
		occurredAt: number;
		points: number;
		breakdown: LedgerBreakdown | null;
	},
	timeZone: string
): Promise<void> {
	const key = dayKeyOf(sale.seasonId, sale.sellerId, sale.occurredAt, timeZone);
	const [row] = await preparedQuery(tx, store, readRow).execute(key);
	if (!row) return;
	const after = stored(row);
	add(after, saleTotals(sale.points, sale.breakdown), -1);
	await preparedQuery(tx, store, writeRow).execute(rowValues(key, after));
}

// A person's days in [from, to): those a recalculation's chunk rescored.
const forgetDaysBetween = (db: StoreDb, { personDay }: Tables) =>
	db
		.delete(personDay)
		.where(
			and(
				eq(personDay.seasonId, sql.placeholder('seasonId')),
				eq(personDay.userId, sql.placeholder('userId')),
				gte(personDay.day, sql.placeholder('from')),
				lt(personDay.day, sql.placeholder('to'))
			)
		)
		.prepare('person_day_forget_between');

/** Drops a person's day totals of the local days in [from, to) (those days were rescored). */
export async function forgetPersonDaysBetweenInWrite(
	tx: StoreDb,
	store: Store,
	days: { seasonId: number; userId: number; from: number; to: number }
): Promise<void> {
	await preparedQuery(tx, store, forgetDaysBetween).execute(days);
}
