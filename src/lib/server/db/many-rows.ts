import type Database from 'better-sqlite3';
import type { Queryable } from './index';

// Rows written many per statement. SQLite does part of an INSERT's work once per statement (a
// statement journal of every page the statement changes, which with indexes and triggers is a
// dozen pages per row); a window of an import writes thousands of rows to the same tables, so it
// writes them with multi-row INSERTs (docs/benchmarks.md, "Set-based import windows").
//
// Note: raw statements on the connection, like the badge facts (badges/facts.ts): a multi-row
// INSERT has thousands of parameters, bound here as one array, where Drizzle would fill every
// placeholder by name on every call. Each is prepared once per connection and number of rows.

type Client = Database.Database;

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
	const client = clientOf(db);
	const width = insert.columns.length;
	if (values.length % width !== 0) throw new Error(`${insert.table}: values are not whole rows`);
	let offset = 0;
	for (const rows of CHUNKS) {
		while (values.length - offset >= rows * width) {
			statement(client, insert, rows).run(values.slice(offset, offset + rows * width));
			offset += rows * width;
		}
	}
}

const statements = new WeakMap<Client, Map<string, Database.Statement>>();

/** The statement `text` on this connection, prepared once. */
export function cachedStatement(db: Queryable, text: string): Database.Statement {
	return cached(clientOf(db), text);
}

function cached(client: Client, text: string): Database.Statement {
	let byText = statements.get(client);
	if (!byText) statements.set(client, (byText = new Map()));
	let s = byText.get(text);
	if (!s) byText.set(text, (s = client.prepare(text)));
	return s;
}

const texts = new WeakMap<ManyRows, string[]>();

function statement(client: Client, insert: ManyRows, rows: number): Database.Statement {
	let byRows = texts.get(insert);
	if (!byRows) texts.set(insert, (byRows = []));
	const row = `(${insert.columns.map(() => '?').join(', ')})`;
	byRows[rows] ??=
		`INSERT INTO ${insert.table} (${insert.columns.join(', ')}) VALUES ${Array(rows).fill(row).join(', ')} ${insert.then ?? ''}`;
	return cached(client, byRows[rows]);
}

/** The better-sqlite3 connection under a Drizzle database or transaction. */
export function clientOf(db: Queryable): Client {
	// Note: the session is Drizzle-internal (not in its types), as in prepared.ts.
	return (db as unknown as { session: { client: Client } }).session.client;
}
