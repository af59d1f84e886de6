import type { Queryable } from './index';
import { cachedStatement } from './prepared';

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
