import { getTableColumns, getTableName, is, Table } from 'drizzle-orm';
import type { PoolClient } from 'pg';
import type { Queryable } from './index';
import { cachedStatement } from './prepared';
import {
	deferInWrite,
	deferRowsInWrite,
	literalOf,
	sqliteOfWrite,
	unportedSqlite,
	type Store,
	type StoreDb
} from './store';

// Rows written many per statement. SQLite does part of an INSERT's work once per statement (a
// statement journal of every page the statement changes, which with indexes and triggers is a
// dozen pages per row); a window of an import writes thousands of rows to the same tables, so it
// writes them with multi-row INSERTs (docs/benchmarks.md, "Set-based import windows").
//
// Note: raw statements on the connection, like the badge facts (badges/facts.ts): a multi-row
// INSERT has thousands of parameters, bound here as one array, where Drizzle would fill every
// placeholder by name on every call. Each is prepared once per connection and number of rows.

/** A table's INSERT: its columns in the order of the values, and what follows VALUES. */
export interface ManyRows {
	table: string;
	columns: readonly string[];
	/** E.g. `ON CONFLICT DO UPDATE SET …` (an upsert: rows with the same key must be summed first). */
	then?: string;
}

// Rows per statement, largest first: any count is written with a few statements, and a
// connection prepares at most five per insert (256 rows of 14 columns are 3,584 parameters,
// far under SQLite's 32,766).
const CHUNKS = [256, 64, 16, 4, 1];

/** Inserts `values` (each row's values one after the other, in `columns` order). */
export function insertRows(db: Queryable, insert: ManyRows, values: readonly unknown[]): void {
	const width = insert.columns.length;
	if (values.length % width !== 0) throw new Error(`${insert.table}: values are not whole rows`);
	let offset = 0;
	for (const rows of CHUNKS) {
		while (values.length - offset >= rows * width) {
			statement(db, insert, rows).run(values.slice(offset, offset + rows * width));
			offset += rows * width;
		}
	}
}

/** Rows held as arrays of values, one after the other as insertRows takes them. */
export function flatRows(rows: Iterable<readonly unknown[]>, extra?: unknown): unknown[] {
	// Note: a loop, not [...rows].flat(): flat() took ~10 % of an import window's badge facts.
	const values: unknown[] = [];
	for (const row of rows) {
		for (let i = 0; i < row.length; i++) values.push(row[i]);
		if (extra !== undefined) values.push(extra);
	}
	return values;
}

const texts = new WeakMap<ManyRows, string[]>();

/** The INSERT of `rows` rows, made once per table and count (the badge facts run it on the store). */
export function insertText(insert: ManyRows, rows: number): string {
	let byRows = texts.get(insert);
	if (!byRows) texts.set(insert, (byRows = []));
	let text = byRows[rows];
	if (!text) {
		const row = `(${insert.columns.map(() => '?').join(', ')})`;
		text = byRows[rows] =
			`INSERT INTO ${insert.table} (${insert.columns.join(', ')}) VALUES ${Array(rows).fill(row).join(', ')} ${insert.then ?? ''}`;
	}
	return text;
}

/** How insertRows cuts `values` into statements: each chunk's row count and values. */
export function* chunksOf(
	insert: ManyRows,
	values: readonly unknown[]
): Generator<{ rows: number; values: unknown[] }> {
	const width = insert.columns.length;
	if (values.length % width !== 0) throw new Error(`${insert.table}: values are not whole rows`);
	let offset = 0;
	for (const rows of CHUNKS) {
		while (values.length - offset >= rows * width) {
			yield { rows, values: values.slice(offset, offset + rows * width) };
			offset += rows * width;
		}
	}
}

function statement(db: Queryable, insert: ManyRows, rows: number) {
	return cachedStatement(db, insertText(insert, rows));
}

/**
 * insertRows inside a store's write. On SQLite the same statements on the write's connection. On
 * PostgreSQL one statement for any number of rows, each column's values bound as one array and
 * unnested (`INSERT … SELECT * FROM unnest($1::bigint[], $2::text[], …)`), a named statement of
 * the write's connection (parsed and planned once per connection, as preparedQuery's): the
 * chunks of SQLite's statements would cost a round trip each (a window of 26 sales wrote each
 * table in five), and Drizzle's `sql` would assemble every parameter into a query on each call.
 */
export async function insertRowsInWrite(
	tx: StoreDb,
	store: Store,
	insert: ManyRows,
	values: readonly unknown[]
): Promise<void> {
	const sqlite = unportedSqlite(store);
	if (sqlite) return insertRows(sqlite, insert, values);
	if (values.length === 0) return;
	const { name, text } = unnestOf(store, insert);
	await pgClientOf(tx).query({ name, text, values: columnsOf(insert, values) });
}

/** Rows' values (one row after the other) as one array per column, as unnest takes them. */
function columnsOf(insert: ManyRows, values: readonly unknown[]): unknown[][] {
	const width = insert.columns.length;
	if (values.length % width !== 0) throw new Error(`${insert.table}: values are not whole rows`);
	const columns: unknown[][] = insert.columns.map(() => []);
	for (let i = 0; i < values.length; i++) columns[i % width].push(values[i]);
	return columns;
}

/**
 * insertRowsInWrite of several tables at once: `values[i]` are `inserts[i]`'s rows (none: its
 * insert writes nothing). On SQLite each insert's own statements, in order; on PostgreSQL one
 * statement, each insert but the last a data-modifying CTE of it: one round trip where each
 * table was one (a sale's badge facts, four tables and the cursor). The inserts must write
 * different tables (a statement's CTEs see the same snapshot, not each other's rows).
 */
export async function insertTogetherInWrite(
	tx: StoreDb,
	store: Store,
	inserts: readonly ManyRows[],
	values: readonly (readonly unknown[])[],
	lead?: Lead
): Promise<void> {
	const sqlite = unportedSqlite(store);
	if (sqlite) {
		inserts.forEach((insert, i) => insertRows(sqlite, insert, values[i]));
		return;
	}
	const { name, text } = togetherOf(store, inserts);
	const columns = inserts.flatMap((insert, i) => columnsOf(insert, values[i]));
	if (lead === undefined) return void (await pgClientOf(tx).query({ name, text, values: columns }));
	const both = `SAVEPOINT ${lead.savepoint}; ${withLiterals(text, columns)}`;
	if (!lead.rescue || !deferInWrite(tx, both, lead.savepoint, lead.rescue))
		await pgClientOf(tx).query(both);
}

/**
 * PostgreSQL: the savepoint of a step (badges/steps.ts inStepSavepoint) that an insert opens in
 * its own round trip: the two as one simple-protocol string, the arrays written into it as
 * literals (parsed and planned each time, where the named statement is once per connection).
 * With `rescue`, the string goes with the write's COMMIT (db/store.ts deferInWrite).
 */
export interface Lead {
	savepoint: string;
	rescue?: (error: unknown) => void;
}

/** `text` with each `$n` replaced by the n-th of `columns` as a quoted literal (pg's own). */
function withLiterals(text: string, columns: readonly unknown[]): string {
	return text.replace(/\$(\d+)/g, (_, n: string) => literalOf(columns[Number(n) - 1]));
}

/**
 * Ids for rows not written yet: `counts` ids of each table, ascending.
 * - PostgreSQL: drawn from each table's identity sequence in one statement. Unique across every
 *   node and write, as the table's own default gives them; a write rolled back does not give them
 *   back (a sequence never does), so a write that runs again draws its own.
 * - SQLite: the ids AUTOINCREMENT would give the next rows (one more than the largest ever used),
 *   on the write's connection. Not reserved (idsDrawnAreReserved): SQLite has one writer, so they
 *   stay free for the write that drew them, but a row inserted meanwhile takes the first of them,
 *   and a draw before the rows are written gives the same ones again.
 */
export async function drawIdsInWrite<T extends string>(
	tx: StoreDb,
	store: Store,
	counts: Record<T, number>
): Promise<Record<T, number[]>> {
	const sqlite = sqliteOfWrite(tx, store);
	if (sqlite) return nextIdsOf(sqlite, counts);
	const tables = Object.keys(counts) as T[];
	const text = tables
		.map(
			(table, i) =>
				`select ${i} as t, nextval(pg_get_serial_sequence('${table}', 'id')) as id ` +
				`from generate_series(1, $${i + 1}::int)`
		)
		.join(' union all ');
	const drawn = {} as Record<T, number[]>;
	for (const table of tables) drawn[table] = [];
	const { rows } = await pgClientOf(tx).query<[number, number]>({
		text,
		values: tables.map((table) => counts[table]),
		rowMode: 'array'
	});
	for (const [t, id] of rows) drawn[tables[t]].push(id);
	for (const table of tables) drawn[table].sort((a, b) => a - b);
	return drawn;
}

/** The node-postgres client a PostgreSQL write's `tx` runs on (inside its transaction). */
function pgClientOf(tx: StoreDb): PoolClient {
	// Note: Drizzle's session and its client are internal (not in its types), as in store.ts.
	return (tx as unknown as { session: { client: PoolClient } }).session.client;
}

const unnests = new WeakMap<ManyRows, { name: string; text: string }>();
let unnested = 0;

/**
 * The PostgreSQL statement of insertRowsInWrite: each column's array cast to the column's type
 * as the store's schema declares it; its name one per insert (two inserts of one table may differ
 * in columns or `then`).
 */
function unnestOf(store: Store, insert: ManyRows): { name: string; text: string } {
	let statement = unnests.get(insert);
	if (!statement) {
		statement = { name: `many_${insert.table}_${++unnested}`, text: unnestText(store, insert, 0) };
		unnests.set(insert, statement);
	}
	return statement;
}

/**
 * The unnest INSERT of `insert`, its arrays the parameters after the first `offset`; `where`
 * filters the unnest's rows.
 */
function unnestText(store: Store, insert: ManyRows, offset: number, where = ''): string {
	const table = (Object.values(store.tables) as unknown[]).find(
		(t): t is Table => is(t, Table) && getTableName(t) === insert.table
	);
	if (!table) throw new Error(`no table ${insert.table} in the store's schema`);
	const types = new Map(Object.values(getTableColumns(table)).map((c) => [c.name, c.getSQLType()]));
	const arrays = insert.columns.map((column, i) => {
		if (!types.has(column)) throw new Error(`no column ${insert.table}.${column}`);
		return `$${offset + i + 1}::${types.get(column)}[]`;
	});
	return `INSERT INTO ${insert.table} (${insert.columns.join(', ')}) SELECT * FROM unnest(${arrays.join(', ')}) ${where} ${insert.then ?? ''}`;
}

/**
 * A statement run first (its values `$1` to `$<params>`), then inserts of many rows after it in
 * the same statement (insertAfterInWrite).
 */
export interface AfterFirst {
	first: string;
	params: number;
	inserts: readonly ManyRows[];
	/**
	 * A select that answers what `first` answered, once it has run (its values the same `$1` to
	 * `$<params>`): insertAfterAtCommitInWrite's.
	 */
	again?: string;
}

/**
 * PostgreSQL: `after.first` (an UPDATE … RETURNING) and then each insert's rows
 * (insertTogetherInWrite's), in one statement and one round trip; answers `first`'s rows.
 * `first` is a CTE that every insert reads before its first row, so it has run (and taken its
 * rows' locks) before any insert writes. The inserts' tables must differ from `first`'s.
 */
export async function insertAfterInWrite<R>(
	tx: StoreDb,
	store: Store,
	after: AfterFirst,
	firstValues: readonly unknown[],
	values: readonly (readonly unknown[])[]
): Promise<R[]> {
	if (unportedSqlite(store)) throw new Error('insertAfterInWrite is for PostgreSQL');
	const { name, text } = afterFirstOf(store, after);
	const columns = after.inserts.flatMap((insert, i) => columnsOf(insert, values[i]));
	const { rows } = await pgClientOf(tx).query({ name, text, values: [...firstValues, ...columns] });
	return rows as R[];
}

/**
 * insertAfterInWrite held to go with the write's COMMIT in its round trip (db/store.ts
 * deferRowsInWrite: a lone sale's rows), `answer` given `first`'s rows once it has run, at the
 * latest when the write commits; nothing of the write may need them, or its rows, before (any
 * other statement of the write sends it first). On a connection that has not prepared its
 * statement yet it runs at once, as insertAfterInWrite, which prepares it.
 */
export async function insertAfterAtCommitInWrite<R>(
	tx: StoreDb,
	store: Store,
	after: AfterFirst & { again: string },
	firstValues: readonly unknown[],
	values: readonly (readonly unknown[])[],
	answer: (rows: R[]) => void
): Promise<void> {
	if (unportedSqlite(store)) throw new Error('insertAfterAtCommitInWrite is for PostgreSQL');
	const { name, text } = afterFirstOf(store, after);
	const columns = after.inserts.flatMap((insert, i) => columnsOf(insert, values[i]));
	const statement = { name, text, values: [...firstValues, ...columns] };
	const again = withLiterals(after.again, firstValues);
	if (deferRowsInWrite(tx, statement, (rows) => answer(rows as R[]), again)) return;
	answer((await pgClientOf(tx).query(statement)).rows as R[]);
}

const afters = new WeakMap<AfterFirst, { name: string; text: string }>();

function afterFirstOf(store: Store, after: AfterFirst): { name: string; text: string } {
	let statement = afters.get(after);
	if (!statement) {
		let offset = after.params;
		const ctes = after.inserts.map((insert, i) => {
			const text = unnestText(store, insert, offset, 'WHERE (SELECT count(*) FROM first) >= 0');
			offset += insert.columns.length;
			return `w${i} AS (${text})`;
		});
		statement = {
			name: `many_after_${++unnested}`,
			text: `WITH first AS (${after.first}), ${ctes.join(', ')} SELECT * FROM first`
		};
		afters.set(after, statement);
	}
	return statement;
}

const togethers = new WeakMap<readonly ManyRows[], { name: string; text: string }>();

/** insertTogetherInWrite's statement, one per list of inserts (keep the list a constant). */
function togetherOf(store: Store, inserts: readonly ManyRows[]): { name: string; text: string } {
	let statement = togethers.get(inserts);
	if (!statement) {
		let offset = 0;
		const texts = inserts.map((insert) => {
			const text = unnestText(store, insert, offset);
			offset += insert.columns.length;
			return text;
		});
		const ctes = texts.slice(0, -1).map((text, i) => `w${i} AS (${text})`);
		statement = {
			name: `many_together_${++unnested}`,
			text: `WITH ${ctes.join(', ')} ${texts[texts.length - 1]}`
		};
		togethers.set(inserts, statement);
	}
	return statement;
}

/**
 * Whether a write reads many keys' rows ahead, in one statement, rather than each when it needs
 * it (a group's or a window's seller days, scoring/write-batch.ts readDaysInWrite): on
 * PostgreSQL each read is a round trip (~150 µs of the node's CPU and a system call); on SQLite
 * a call on the write's connection of a few µs, which a read ahead would only add work to.
 */
export function readsAhead(store: Store): boolean {
	return unportedSqlite(store) === null;
}

/**
 * Whether drawIdsInWrite's ids are the draw's own until used (PostgreSQL's sequences) or only the
 * next free ones (SQLite's AUTOINCREMENT): then whoever holds them draws again after any insert
 * into their tables, its own included.
 */
export function idsDrawnAreReserved(store: Store): boolean {
	return unportedSqlite(store) === null;
}

/** SQLite: each table's next `counts` ids as AUTOINCREMENT gives them. */
function nextIdsOf<T extends string>(
	db: Queryable,
	counts: Record<T, number>
): Record<T, number[]> {
	const ids = {} as Record<T, number[]>;
	for (const table of Object.keys(counts) as T[]) {
		const { id } = cachedStatement(
			db,
			`SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '${table}'), 0),
				coalesce((SELECT max(id) FROM ${table}), 0)) + 1 AS id`
		).get() as { id: number };
		ids[table] = Array.from({ length: counts[table] }, (_, i) => id + i);
	}
	return ids;
}
