import { getTableColumns, getTableName, type Column } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { insertRows, type ManyRows } from './many-rows';
import { sqliteOfWrite, type Store, type StoreDb } from './store';

// Many rows of one table inserted inside a write (a season's frozen results: one row per
// person and team). On SQLite raw multi-row INSERTs (db/many-rows.ts) on the write's own
// connection: Drizzle's builder took ~25 ms to build a 200-row INSERT, most of the 40-50 ms a
// season's end held the event loop at 1,000 people (docs/benchmarks.md, "Season end without
// the builder"). On PostgreSQL Drizzle's insert, a few hundred rows to a statement (it takes
// 65,535 parameters per statement).

const PG_ROWS_PER_INSERT = 500;

/** The raw INSERT of a table's columns `keys`, made once per table and list of keys. */
const inserts = new WeakMap<object, WeakMap<readonly string[], ManyRows>>();

function manyRowsOf(table: PgTable, keys: readonly string[]): ManyRows {
	let byKeys = inserts.get(table);
	if (!byKeys) inserts.set(table, (byKeys = new WeakMap()));
	let insert = byKeys.get(keys);
	if (!insert) {
		const columns: Record<string, Column> = getTableColumns(table);
		insert = { table: getTableName(table), columns: keys.map((key) => columns[key].name) };
		byKeys.set(keys, insert);
	}
	return insert;
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
	const columns: Record<string, Column> = getTableColumns(table);
	const values: unknown[] = [];
	for (const row of rows)
		for (const key of keys) {
			// As Drizzle binds a value: null as NULL, anything else as the column maps it.
			const value = row[key];
			values.push(value == null ? null : columns[key].mapToDriverValue(value));
		}
	insertRows(sqlite, manyRowsOf(table, keys), values);
}
