import { getTableColumns, getTableName, type Column } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { chunksOf, insertRows, insertText, type ManyRows } from './many-rows';
import { cachedStatement } from './prepared';
import { sqliteOfWrite, type Store, type StoreDb } from './store';

// Many rows of one table inserted inside a write (a season's frozen results: one row per
// person and team). On SQLite raw multi-row INSERTs (db/many-rows.ts) on the write's own
// connection: Drizzle's builder took ~25 ms to build a 200-row INSERT, most of the 40-50 ms a
// season's end held the event loop at 1,000 people (docs/benchmarks.md, "Season end without
// the builder"). On PostgreSQL Drizzle's insert, a few hundred rows to a statement (it takes
// 65,535 parameters per statement).

const PG_ROWS_PER_INSERT = 500;

/** The raw INSERT of a table's columns `keys` (then `then`), made once per table and keys. */
const inserts = new Map<string, WeakMap<object, WeakMap<readonly string[], ManyRows>>>();

function manyRowsOf(table: PgTable, keys: readonly string[], then = ''): ManyRows {
	let byTable = inserts.get(then);
	if (!byTable) inserts.set(then, (byTable = new WeakMap()));
	let byKeys = byTable.get(table);
	if (!byKeys) byTable.set(table, (byKeys = new WeakMap()));
	let insert = byKeys.get(keys);
	if (!insert) {
		const columns: Record<string, Column> = getTableColumns(table);
		insert = { table: getTableName(table), columns: keys.map((key) => columns[key].name), then };
		byKeys.set(keys, insert);
	}
	return insert;
}

/** The rows' values one after the other, each as Drizzle binds it (null as NULL). */
function driverValues<T extends PgTable, K extends keyof T['$inferInsert']>(
	table: T,
	keys: readonly (K & string)[],
	rows: Pick<T['$inferInsert'], K>[]
): unknown[] {
	const columns: Record<string, Column> = getTableColumns(table);
	const values: unknown[] = [];
	for (const row of rows)
		for (const key of keys) {
			const value = row[key];
			values.push(value == null ? null : columns[key].mapToDriverValue(value));
		}
	return values;
}

/**
 * Inserts `rows` into `table` (one of `store.tables`) inside the write `tx`; `keys` (a constant
 * of the caller's) names the columns every row gives, in the order they are written.
 */
export async function insertRowsInWrite<T extends PgTable, K extends keyof T['$inferInsert']>(
	tx: StoreDb,
	store: Store,
	table: T,
	keys: readonly (K & string)[],
	rows: Pick<T['$inferInsert'], K>[]
): Promise<void> {
	const sqlite = sqliteOfWrite(tx, store);
	if (!sqlite) {
		for (let from = 0; from < rows.length; from += PG_ROWS_PER_INSERT)
			await tx.insert(table).values(rows.slice(from, from + PG_ROWS_PER_INSERT) as never);
		return;
	}
	insertRows(sqlite, manyRowsOf(table, keys), driverValues(table, keys, rows));
}

/**
 * insertRowsInWrite giving the new rows' ids, in no given order: on SQLite the raw multi-row
 * INSERTs ending in `RETURNING id`; on PostgreSQL Drizzle's insert … returning. A recalculation's
 * chunk books its adjustments so (recalculate-store.ts): Drizzle built its entries at ~40 % of a
 * slice's time on SQLite (docs/benchmarks.md, "The recalculation on one body").
 */
export async function insertRowsReturningIdsInWrite<
	T extends PgTable & { id: PgColumn },
	K extends keyof T['$inferInsert']
>(
	tx: StoreDb,
	store: Store,
	table: T,
	keys: readonly (K & string)[],
	rows: Pick<T['$inferInsert'], K>[]
): Promise<number[]> {
	const sqlite = sqliteOfWrite(tx, store);
	const ids: number[] = [];
	if (!sqlite) {
		for (let from = 0; from < rows.length; from += PG_ROWS_PER_INSERT) {
			const written = await tx
				.insert(table)
				.values(rows.slice(from, from + PG_ROWS_PER_INSERT) as never)
				.returning({ id: table.id });
			for (const row of written) ids.push(row.id as number);
		}
		return ids;
	}
	const insert = manyRowsOf(table, keys, 'RETURNING id');
	for (const chunk of chunksOf(insert, driverValues(table, keys, rows))) {
		const written = cachedStatement(sqlite, insertText(insert, chunk.rows)).all(chunk.values);
		for (const row of written as { id: number }[]) ids.push(row.id);
	}
	return ids;
}
