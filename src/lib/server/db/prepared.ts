import type Database from 'better-sqlite3';
import { sql, type SQL } from 'drizzle-orm';
import type { Queryable } from './index';
import * as schema from './schema';
import type { StoreDb, Tables } from './store';

// Drizzle prepares a statement on the connection, not on the database object: a database and
// every transaction opened on it share one session (better-sqlite3 runs a transaction on the
// same connection), so a query prepared once can run inside any later transaction.
const byConnection = new WeakMap<object, Map<(db: Queryable) => unknown, unknown>>();

/**
 * The query `build` makes, prepared once per connection. `build` must be a module-level
 * function that returns a Drizzle `.prepare()`d query using `sql.placeholder()` for its inputs;
 * run it with `.get({ … })`, `.all({ … })` or `.run({ … })`.
 *
 * Note: leave `.limit()` out of a query read with `.get()` (it reads the first row anyway):
 * Drizzle binds the limit as a parameter, and an `ORDER BY … LIMIT ?` measured several times
 * slower in SQLite than the same query without it.
 */
export function prepared<Q>(db: Queryable, build: (db: Queryable) => Q): Q {
	// Note: the session is Drizzle-internal (not in its types); it is what a database and its
	// transactions have in common.
	const connection = (db as unknown as { session: object }).session;
	let queries = byConnection.get(connection);
	if (!queries) byConnection.set(connection, (queries = new Map()));
	let query = queries.get(build) as Q | undefined;
	if (!query) queries.set(build, (query = build(db)));
	return query;
}

/** A row of what a store query (`preparedQuery`'s `build`) returns when executed. */
type RowOf<Q> = Q extends { execute(...args: never[]): Promise<infer R> }
	? R extends readonly (infer Row)[]
		? Row
		: never
	: never;

/** A row of what a store query's `build` returns (for the synchronous callers' types). */
export type BuiltRow<B> = B extends (db: StoreDb, tables: Tables) => infer Q ? RowOf<Q> : never;

/** A store query run synchronously on a SQLite connection (`preparedSync`). */
export interface SyncQuery<Row> {
	get(values?: Record<string, unknown>): Row | undefined;
	all(values?: Record<string, unknown>): Row[];
	run(values?: Record<string, unknown>): { changes: number };
}

const asSync = new WeakMap<object, (db: Queryable) => unknown>();

/**
 * A store query (a `build(db, tables)` as `preparedQuery` in db/store.ts takes it) prepared once
 * on this SQLite connection and run synchronously, inside the caller's `db.transaction()`: so
 * that the synchronous paths not ported yet (the sales' group commit, the imports' window) and
 * the store's writes share one definition of each query instead of a copy each. At run time the
 * query is SQLite's (the SQLite tables, under their PostgreSQL twins' types, read the same rows).
 */
export function preparedSync<Q>(
	db: Queryable,
	build: (db: StoreDb, tables: Tables) => Q
): SyncQuery<RowOf<Q>> {
	let onSqlite = asSync.get(build);
	if (!onSqlite)
		asSync.set(
			build,
			(onSqlite = (sqlite: Queryable) =>
				build(sqlite as unknown as StoreDb, schema as unknown as Tables))
		);
	return prepared(db, onSqlite) as SyncQuery<RowOf<Q>>;
}

/**
 * A constant written into a prepared query's SQL instead of bound as a parameter. SQLite builds
 * the lookup table of an `IN (…)` list of literals once per statement, but one of parameters on
 * every run (measured ~20 % slower per call on the per-sale path).
 */
export function literal(value: string | number | boolean): SQL {
	if (typeof value === 'string') return sql.raw(`'${value.replaceAll("'", "''")}'`);
	return sql.raw(String(Number(value)));
}

/** A list of constants for `inArray()` in a prepared query, written into its SQL (see literal). */
export function literals(values: readonly (string | number)[]): SQL {
	return sql`(${sql.join(values.map(literal), sql`, `)})`;
}

/** The better-sqlite3 connection under a Drizzle database or transaction (they share it). */
export function clientOf(db: Queryable): Database.Database {
	// Note: the session and its client are Drizzle-internal (not in its types), as in prepared().
	return (db as unknown as { session: { client: Database.Database } }).session.client;
}

const byText = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** The raw SQL statement `text` on this connection, prepared once. */
export function cachedStatement(db: Queryable, text: string): Database.Statement {
	const client = clientOf(db);
	let statements = byText.get(client);
	if (!statements) byText.set(client, (statements = new Map()));
	let statement = statements.get(text);
	if (!statement) statements.set(text, (statement = client.prepare(text)));
	return statement;
}
