import { and, eq, gte, inArray, lt, ne, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Queryable } from '../db';
import {
	activity,
	activityType,
	ledgerEntry,
	product,
	sale,
	saleLine,
	type SubjectType
} from '../db/schema';
import type { Measure, PeriodTotal } from '../../contest/measure';

// The one query behind every contest format's standings (#17): a measure of each person or
// team over a period, read from the append-only ledger. An entry belongs to the period of the
// sale it scores (the sale's occurredAt, so a late confirmation or a reversal moves the period
// the sale was made in), an activity's entry to the activity's occurredAt, any other entry (a
// bonus, a badge, a quiz…) to the time it was written. Void entries never count; a provisional entry counts as provisional.

export interface PeriodQuery {
	seasonId: number;
	subject: SubjectType;
	/** [from, to) in epoch milliseconds. */
	from: number;
	to: number;
	measure: Measure;
	/** Only these people or teams (all of the season's when left out). */
	ids?: readonly number[];
}

/** Each subject's measure over the period; subjects with nothing in it are absent. */
export function periodTotals(db: Queryable, query: PeriodQuery): Map<number, PeriodTotal> {
	const rows = periodRows(db, query, 'totals');
	return new Map(
		rows.map((row) => [
			row.id,
			{ confirmed: row.confirmed ?? 0, provisional: row.provisional ?? 0 }
		])
	);
}

/**
 * What each subject's measure is made of in the period, one row per entry (sale, line or ledger
 * entry) with the instant it counts at, in time order: one read where a search over time would
 * sum the period again at every step.
 */
export function periodEntries(db: Queryable, query: PeriodQuery): PeriodEntry[] {
	return periodRows(db, query, 'entries').map((row) => ({
		id: row.id,
		at: row.at,
		confirmed: row.confirmed ?? 0,
		provisional: row.provisional ?? 0
	}));
}

export interface PeriodEntry extends PeriodTotal {
	id: number;
	at: number;
}

type Row = { id: number; at: number; confirmed: number | null; provisional: number | null };
type Mode = 'totals' | 'entries';

function periodRows(db: Queryable, query: PeriodQuery, mode: Mode): Row[] {
	const { measure } = query;
	switch (measure.kind) {
		case 'points':
			return ledgerPoints(db, query, mode);
		case 'sales':
			return saleCounts(db, query, mode);
		case 'category':
			return categoryPoints(db, query, measure.category, mode);
		case 'activity':
			return activityPoints(db, query, measure.type, mode);
	}
}

/**
 * The selected columns: per subject, the sums of its confirmed and provisional values; or per
 * entry, the values themselves and the instant the entry counts at.
 */
function columns(mode: Mode, id: SQLiteColumn, at: SQL, confirmed: SQL, provisional: SQL) {
	return mode === 'totals'
		? {
				id,
				at: sql<number>`0`,
				confirmed: sql<number>`sum(${confirmed})`,
				provisional: sql<number>`sum(${provisional})`
			}
		: {
				id,
				at: sql<number>`${at}`,
				confirmed: sql<number>`${confirmed}`,
				provisional: sql<number>`${provisional}`
			};
}

/** One row per subject (totals), or every entry in time order. */
function shaped<
	Q extends { groupBy(column: SQLiteColumn): { all(): Row[] }; orderBy(at: SQL): { all(): Row[] } }
>(query: Q, mode: Mode, id: SQLiteColumn, at: SQL): Row[] {
	return mode === 'totals' ? query.groupBy(id).all() : query.orderBy(at).all();
}

const byStatus = (column: SQL | SQLiteColumn, status: string, value: SQL | SQLiteColumn) =>
	sql`case when ${column} = ${status} then ${value} else 0 end`;

function ledgerPoints(db: Queryable, query: PeriodQuery, mode: Mode): Row[] {
	const subjectColumn = query.subject === 'user' ? ledgerEntry.userId : ledgerEntry.teamId;
	const at = sql`coalesce(${sale.occurredAt}, ${activity.occurredAt}, ${ledgerEntry.createdAt})`;
	const selected = db
		.select(
			columns(
				mode,
				subjectColumn,
				at,
				byStatus(ledgerEntry.status, 'confirmed', ledgerEntry.points),
				byStatus(ledgerEntry.status, 'provisional', ledgerEntry.points)
			)
		)
		.from(ledgerEntry)
		.leftJoin(sale, eq(sale.id, ledgerEntry.saleId))
		.leftJoin(activity, eq(activity.id, ledgerEntry.activityId))
		.where(
			and(
				eq(ledgerEntry.seasonId, query.seasonId),
				ne(ledgerEntry.status, 'void'),
				sql`${at} >= ${query.from}`,
				sql`${at} < ${query.to}`,
				query.ids ? inArray(subjectColumn, [...query.ids]) : undefined
			)
		);
	return shaped(selected, mode, subjectColumn, at);
}

/** Sales made in the period: approved ones as confirmed, pending ones as provisional. */
function saleCounts(db: Queryable, query: PeriodQuery, mode: Mode): Row[] {
	const subjectColumn = query.subject === 'user' ? sale.sellerId : sale.teamId;
	const at = sql`${sale.occurredAt}`;
	const selected = db
		.select(
			columns(
				mode,
				subjectColumn,
				at,
				sql`(${sale.status} = 'approved')`,
				sql`(${sale.status} = 'pending')`
			)
		)
		.from(sale)
		.where(
			and(
				eq(sale.seasonId, query.seasonId),
				inArray(sale.status, ['approved', 'pending']),
				gte(sale.occurredAt, query.from),
				lt(sale.occurredAt, query.to),
				query.ids ? inArray(subjectColumn, [...query.ids]) : undefined
			)
		);
	return shaped(selected, mode, subjectColumn, at);
}

/** The points of the period's sale lines whose product is in the category. */
function categoryPoints(db: Queryable, query: PeriodQuery, category: string, mode: Mode): Row[] {
	const subjectColumn = query.subject === 'user' ? sale.sellerId : sale.teamId;
	const at = sql`${sale.occurredAt}`;
	const selected = db
		.select(
			columns(
				mode,
				subjectColumn,
				at,
				byStatus(sale.status, 'approved', saleLine.points),
				byStatus(sale.status, 'pending', saleLine.points)
			)
		)
		.from(sale)
		.innerJoin(saleLine, eq(saleLine.saleId, sale.id))
		.innerJoin(product, eq(product.id, saleLine.productId))
		.where(
			and(
				eq(sale.seasonId, query.seasonId),
				inArray(sale.status, ['approved', 'pending']),
				gte(sale.occurredAt, query.from),
				lt(sale.occurredAt, query.to),
				eq(product.category, category),
				query.ids ? inArray(subjectColumn, [...query.ids]) : undefined
			)
		);
	return shaped(selected, mode, subjectColumn, at);
}

/** The points of the period's activities of one type (by the type's key), when they happened. */
function activityPoints(db: Queryable, query: PeriodQuery, typeKey: string, mode: Mode): Row[] {
	const subjectColumn = query.subject === 'user' ? ledgerEntry.userId : ledgerEntry.teamId;
	const at = sql`${activity.occurredAt}`;
	const selected = db
		.select(
			columns(
				mode,
				subjectColumn,
				at,
				byStatus(ledgerEntry.status, 'confirmed', ledgerEntry.points),
				byStatus(ledgerEntry.status, 'provisional', ledgerEntry.points)
			)
		)
		.from(ledgerEntry)
		.innerJoin(activity, eq(activity.id, ledgerEntry.activityId))
		.innerJoin(activityType, eq(activityType.id, activity.typeId))
		.where(
			and(
				eq(ledgerEntry.seasonId, query.seasonId),
				ne(ledgerEntry.status, 'void'),
				eq(activityType.key, typeKey),
				gte(activity.occurredAt, query.from),
				lt(activity.occurredAt, query.to),
				query.ids ? inArray(subjectColumn, [...query.ids]) : undefined
			)
		);
	return shaped(selected, mode, subjectColumn, at);
}
