import { and, eq, gte, inArray, isNull, lt, ne, sql, type Column, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db';
import { readsSync, readsWith, rowsOf, type Reads } from '../db/reads';
import type { SubjectType } from '../db/schema';
import type { StoreDb, Tables } from '../db/store';
import type { Counting, Measure, PeriodTotal } from '../../contest/measure';
import type { Crossing } from '../../contest/sprint';

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
export function* periodTotalsReads(
	db: StoreDb,
	t: Tables,
	query: PeriodQuery
): Reads<Map<number, PeriodTotal>> {
	const entries = periodEntries(db, t, query).as('entries');
	// The sums are `numeric` on PostgreSQL, read as numbers.
	const rows = yield* rowsOf(
		db
			.select({
				id: entries.id,
				confirmed: sql<number | null>`sum(${entries.confirmed})`.mapWith(Number),
				provisional: sql<number | null>`sum(${entries.provisional})`.mapWith(Number)
			})
			.from(entries)
			.groupBy(entries.id)
	);
	return new Map(
		rows.map((row) => [
			row.id,
			{ confirmed: row.confirmed ?? 0, provisional: row.provisional ?? 0 }
		])
	);
}

/** periodTotalsReads on a SQLite connection, synchronously. */
export function periodTotals(db: Queryable, query: PeriodQuery): Map<number, PeriodTotal> {
	return readsSync(db, (d, t) => periodTotalsReads(d, t, query));
}

/**
 * periodTotalsReads on the store (db/store.ts): `db` a store's database, a read's or a write's
 * transaction, `tables` the store's.
 */
export function readPeriodTotals(
	db: StoreDb,
	tables: Tables,
	query: PeriodQuery
): Promise<Map<number, PeriodTotal>> {
	return readsWith(db, tables, (d, t) => periodTotalsReads(d, t, query));
}

/**
 * When each subject's measure over the period first reached `target`: the instant of the entry
 * after which the running sum (every entry of that instant counted) stood at the target, and
 * that sum. Subjects that never reach it, or no longer stand there at the period's end (a later
 * negative adjustment), are absent. Where the measure only grows (points and sales do: a reversal
 * voids its sale's entries, which removes them from the whole window), that
 * is the first instant t with the measure over [from, t + 1) at the target; a negative manual
 * adjustment is the exception, and then it is the first time the measure stood there. One read,
 * summed in the database (window functions), where a search over time would sum the period
 * again at every step. In SQL both dialects speak: of each subject's rows at the target, the
 * first by `row_number()`.
 */
export function* periodCrossingsReads(
	db: StoreDb,
	tables: Tables,
	query: PeriodQuery,
	target: number,
	counting: Counting
): Reads<Crossing[]> {
	const e = periodEntries(db, tables, query).as('entries');
	// Every entry of one instant counted: the default frame runs to the row's last peer.
	const running = (column: SQL) =>
		sql`sum(${column}) over (partition by ${e.id} order by ${e.at} range unbounded preceding)`;
	// The whole period's sum over the same ordered window as the running one: SQLite then sorts
	// the entries once for both (over `partition by id` alone it sorted them twice, and the
	// crossings cost ~3× more; docs/benchmarks.md, "The read thread on the store's bodies").
	const whole = (column: SQL) =>
		sql`sum(${column}) over (partition by ${e.id} order by ${e.at} range between unbounded preceding and unbounded following)`;
	const provisional = counting === 'confirmed' ? sql`0` : undefined;
	const sums = db
		.select({
			id: e.id,
			at: e.at,
			value:
				sql<number>`${running(sql`${e.confirmed}`)} + ${provisional ?? running(sql`${e.provisional}`)}`.as(
					'value'
				),
			total:
				sql<number>`${whole(sql`${e.confirmed}`)} + ${provisional ?? whole(sql`${e.provisional}`)}`.as(
					'total'
				)
		})
		.from(e)
		.as('sums');
	const reached = db
		.select({
			id: sums.id,
			at: sums.at,
			value: sums.value,
			nth: sql<number>`row_number() over (partition by ${sums.id} order by ${sums.at})`.as('nth')
		})
		.from(sums)
		.where(and(gte(sums.value, target), gte(sums.total, target)))
		.as('reached');
	return yield* rowsOf(
		db
			.select({
				id: reached.id,
				reachedAt: sql<number>`${reached.at}`.mapWith(Number),
				value: sql<number>`${reached.value}`.mapWith(Number)
			})
			.from(reached)
			.where(eq(reached.nth, 1))
	);
}

/** periodCrossingsReads on a SQLite connection, synchronously. */
export function periodCrossings(
	db: Queryable,
	query: PeriodQuery,
	target: number,
	counting: Counting
): Crossing[] {
	return readsSync(db, (d, t) => periodCrossingsReads(d, t, query, target, counting));
}

/** periodCrossingsReads on the store (db/store.ts). */
export function readPeriodCrossings(
	db: StoreDb,
	tables: Tables,
	query: PeriodQuery,
	target: number,
	counting: Counting
): Promise<Crossing[]> {
	return readsWith(db, tables, (d, t) => periodCrossingsReads(d, t, query, target, counting));
}

/**
 * What each subject's measure is made of in the period: one row per entry (a ledger entry, a
 * sale or a sale line) as { id, at, confirmed, provisional }, `at` the instant it counts at.
 */
function periodEntries(db: StoreDb, t: Tables, query: PeriodQuery) {
	const { measure } = query;
	switch (measure.kind) {
		case 'points':
			return ledgerPoints(db, t, query);
		case 'sales':
			return saleCounts(db, t, query);
		case 'category':
			return categoryPoints(db, t, query, measure.category);
		case 'activity':
			return activityPoints(db, t, query, measure.type);
	}
}

/** The columns of an entry: its subject, its instant and its value by status. */
const entryColumns = (id: Column, at: SQL, confirmed: SQL, provisional: SQL) => ({
	id: sql<number>`${id}`.as('id'),
	at: sql<number>`${at}`.as('at'),
	confirmed: sql<number>`${confirmed}`.as('confirmed'),
	provisional: sql<number>`${provisional}`.as('provisional')
});

const when = (column: Column, status: string, value: Column | SQL) =>
	sql`case when ${column} = ${status} then ${value} else 0 end`;

/**
 * Every ledger entry counts at its sale's time, else its activity's, else when it was written:
 * three ranges by time (a sale's entries through its sale, an activity's through its activity,
 * the rest through ledger_other_time_idx), so that a period costs the entries in it, not the
 * season's whole ledger. Some people or teams (a duel, a sprint, a knockout's entrants): their
 * sales through (season, seller or team, occurred_at), the index the period bounds at both ends.
 * An entry's written time says nothing of the period its sale counts in (a sale imported or sent
 * late is written long after it was made), so reading a person's entries by (season, user,
 * created_at) read their whole season for any period.
 *
 * Note: assumes a sale's entries are its seller's and its team's (the sale's, reversal's and
 * recalculation's entries all copy them from the sale: docs/benchmarks.md, "Recalculation
 * slices bounded by time").
 */
function ledgerPoints(db: StoreDb, t: Tables, query: PeriodQuery) {
	const { activity, ledgerEntry, sale } = t;
	const byUser = query.subject === 'user';
	const subjectColumn = byUser ? ledgerEntry.userId : ledgerEntry.teamId;
	const confirmed = when(ledgerEntry.status, 'confirmed', ledgerEntry.points);
	const provisional = when(ledgerEntry.status, 'provisional', ledgerEntry.points);
	// `+column`: a filter, not an index. On the person's column SQLite took (season, user,
	// created_at) for every sale of the period, reading the person's whole ledger once a sale.
	const countedIn = (season: SQL) =>
		and(
			sql`${season} = ${query.seasonId}`,
			ne(ledgerEntry.status, 'void'),
			query.ids ? inArray(sql`+${subjectColumn}`, [...query.ids]) : undefined
		);
	const counted = countedIn(sql`${ledgerEntry.seasonId}`);
	const saleSubject = byUser ? sale.sellerId : sale.teamId;
	const ofSales = db
		.select(entryColumns(subjectColumn, sql`${sale.occurredAt}`, confirmed, provisional))
		.from(sale)
		.innerJoin(ledgerEntry, eq(ledgerEntry.saleId, sale.id))
		.where(
			and(
				eq(sale.seasonId, query.seasonId),
				query.ids ? inArray(saleSubject, [...query.ids]) : undefined,
				gte(sale.occurredAt, query.from),
				lt(sale.occurredAt, query.to),
				// The entries' season a filter too: the sales of the period lead, each one's entries
				// by ledger_sale_idx, where SQLite could take the season's whole ledger by
				// (season, user, created_at) and each entry's sale by its id.
				countedIn(sql`+${ledgerEntry.seasonId}`)
			)
		);
	const ofActivities = db
		.select(entryColumns(subjectColumn, sql`${activity.occurredAt}`, confirmed, provisional))
		.from(activity)
		.innerJoin(ledgerEntry, eq(ledgerEntry.activityId, activity.id))
		.where(
			and(
				eq(activity.seasonId, query.seasonId),
				gte(activity.occurredAt, query.from),
				lt(activity.occurredAt, query.to),
				isNull(ledgerEntry.saleId),
				counted
			)
		);
	const others = db
		.select(entryColumns(subjectColumn, sql`${ledgerEntry.createdAt}`, confirmed, provisional))
		.from(ledgerEntry)
		.where(
			and(
				isNull(ledgerEntry.saleId),
				isNull(ledgerEntry.activityId),
				gte(ledgerEntry.createdAt, query.from),
				lt(ledgerEntry.createdAt, query.to),
				counted
			)
		);
	return ofSales.unionAll(ofActivities).unionAll(others);
}

/** Sales made in the period: approved ones as confirmed, pending ones as provisional. */
function saleCounts(db: StoreDb, t: Tables, query: PeriodQuery) {
	const { sale } = t;
	const subjectColumn = query.subject === 'user' ? sale.sellerId : sale.teamId;
	return db
		.select(
			entryColumns(
				subjectColumn,
				sql`${sale.occurredAt}`,
				when(sale.status, 'approved', sql`1`),
				when(sale.status, 'pending', sql`1`)
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
}

/** The points of the period's sale lines whose product is in the category. */
function categoryPoints(db: StoreDb, t: Tables, query: PeriodQuery, category: string) {
	const { product, sale, saleLine } = t;
	const subjectColumn = query.subject === 'user' ? sale.sellerId : sale.teamId;
	return db
		.select(
			entryColumns(
				subjectColumn,
				sql`${sale.occurredAt}`,
				when(sale.status, 'approved', saleLine.points),
				when(sale.status, 'pending', saleLine.points)
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
}

/** The points of the period's activities of one type (by the type's key), when they happened. */
function activityPoints(db: StoreDb, t: Tables, query: PeriodQuery, typeKey: string) {
	const { activity, activityType, ledgerEntry } = t;
	const subjectColumn = query.subject === 'user' ? ledgerEntry.userId : ledgerEntry.teamId;
	// From the period's activities (activity_season_time_idx) to their entries (ledger_activity_idx).
	return db
		.select(
			entryColumns(
				subjectColumn,
				sql`${activity.occurredAt}`,
				when(ledgerEntry.status, 'confirmed', ledgerEntry.points),
				when(ledgerEntry.status, 'provisional', ledgerEntry.points)
			)
		)
		.from(activity)
		.innerJoin(activityType, eq(activityType.id, activity.typeId))
		.innerJoin(ledgerEntry, eq(ledgerEntry.activityId, activity.id))
		.where(
			and(
				eq(activity.seasonId, query.seasonId),
				gte(activity.occurredAt, query.from),
				lt(activity.occurredAt, query.to),
				eq(activityType.key, typeKey),
				eq(ledgerEntry.seasonId, query.seasonId),
				ne(ledgerEntry.status, 'void'),
				query.ids ? inArray(subjectColumn, [...query.ids]) : undefined
			)
		);
}
