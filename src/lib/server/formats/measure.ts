import { and, eq, gte, inArray, lt, ne, sql, type SQL } from 'drizzle-orm';
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
	const rows = periodRows(db, query);
	return new Map(
		rows.map((row) => [
			row.id,
			{ confirmed: row.confirmed ?? 0, provisional: row.provisional ?? 0 }
		])
	);
}

type Row = { id: number; confirmed: number | null; provisional: number | null };

function periodRows(db: Queryable, query: PeriodQuery): Row[] {
	const { measure } = query;
	switch (measure.kind) {
		case 'points':
			return ledgerPoints(db, query);
		case 'sales':
			return saleCounts(db, query);
		case 'category':
			return categoryPoints(db, query, measure.category);
		case 'activity':
			return activityPoints(db, query, measure.type);
	}
}

const statusSum = (status: 'confirmed' | 'provisional', value: SQL) =>
	sql<number>`sum(case when ${ledgerEntry.status} = ${status} then ${value} else 0 end)`;

function ledgerPoints(db: Queryable, query: PeriodQuery): Row[] {
	const subjectColumn = query.subject === 'user' ? ledgerEntry.userId : ledgerEntry.teamId;
	const at = sql`coalesce(${sale.occurredAt}, ${activity.occurredAt}, ${ledgerEntry.createdAt})`;
	return db
		.select({
			id: subjectColumn,
			confirmed: statusSum('confirmed', sql`${ledgerEntry.points}`),
			provisional: statusSum('provisional', sql`${ledgerEntry.points}`)
		})
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
		)
		.groupBy(subjectColumn)
		.all();
}

/** Sales made in the period: approved ones as confirmed, pending ones as provisional. */
function saleCounts(db: Queryable, query: PeriodQuery): Row[] {
	const subjectColumn = query.subject === 'user' ? sale.sellerId : sale.teamId;
	return db
		.select({
			id: subjectColumn,
			confirmed: sql<number>`sum(${sale.status} = 'approved')`,
			provisional: sql<number>`sum(${sale.status} = 'pending')`
		})
		.from(sale)
		.where(
			and(
				eq(sale.seasonId, query.seasonId),
				inArray(sale.status, ['approved', 'pending']),
				gte(sale.occurredAt, query.from),
				lt(sale.occurredAt, query.to),
				query.ids ? inArray(subjectColumn, [...query.ids]) : undefined
			)
		)
		.groupBy(subjectColumn)
		.all();
}

/** The points of the period's sale lines whose product is in the category. */
function categoryPoints(db: Queryable, query: PeriodQuery, category: string): Row[] {
	const subjectColumn = query.subject === 'user' ? sale.sellerId : sale.teamId;
	return db
		.select({
			id: subjectColumn,
			confirmed: sql<number>`sum(case when ${sale.status} = 'approved' then ${saleLine.points} else 0 end)`,
			provisional: sql<number>`sum(case when ${sale.status} = 'pending' then ${saleLine.points} else 0 end)`
		})
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
		)
		.groupBy(subjectColumn)
		.all();
}

/** The points of the period's activities of one type (by the type's key), when they happened. */
function activityPoints(db: Queryable, query: PeriodQuery, typeKey: string): Row[] {
	const subjectColumn = query.subject === 'user' ? ledgerEntry.userId : ledgerEntry.teamId;
	return db
		.select({
			id: subjectColumn,
			confirmed: statusSum('confirmed', sql`${ledgerEntry.points}`),
			provisional: statusSum('provisional', sql`${ledgerEntry.points}`)
		})
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
		)
		.groupBy(subjectColumn)
		.all();
}
