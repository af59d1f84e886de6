import type Database from 'better-sqlite3';
import type { SQL } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import type { Queryable } from './index';
import { clientOf } from './prepared';
import type { Store, StoreDb } from './store';

// A read in raw SQL written once for both paths (boards/ranking-window.ts, dashboard/): a
// generator that yields each query and gets its rows back. `runRawSync` runs it on a SQLite
// connection, synchronously (the publisher, the read thread, the sockets' watch);
// `runRawOnStore` inside a store's `read` on either dialect. The reads never ask which dialect
// they run on: what differs is in the words they are given (`DialectSql`), and what a caller
// keeps per connection (points held in memory) it keeps on `RawSource.connection`.

/** A query of a raw read, and whether it wants its first row only. */
export interface RawAsk {
	query: SQL;
	one: boolean;
}

export type RawReads<T> = Generator<RawAsk, T, unknown>;

/** The rows of `query`, inside a read: `const rows = yield* rawRows<Row>(sql…)`. */
export function* rawRows<T>(query: SQL): RawReads<T[]> {
	return (yield { query, one: false }) as T[];
}

/** The first row of `query`, inside a read. */
export function* rawRow<T>(query: SQL): RawReads<T | undefined> {
	return (yield { query, one: true }) as T | undefined;
}

/** SQL that means the same but is written differently in each dialect (raw text: `sql.raw`). */
export interface DialectSql {
	/**
	 * A join done in the order written, the left table outside (SQLite's `CROSS JOIN … ON`: its
	 * planner keeps that order); PostgreSQL's `JOIN`, whose planner orders joins itself and whose
	 * `CROSS JOIN` takes no `ON`.
	 */
	orderedJoin: string;
}

export const SQLITE_SQL: DialectSql = { orderedJoin: 'CROSS JOIN' };
const POSTGRES_SQL: DialectSql = { orderedJoin: 'JOIN' };

/** What a raw read is run with. */
export interface RawSource {
	sql: DialectSql;
	/**
	 * The SQLite connection the read runs on, synchronously: what a caller keeps per connection
	 * (points held in memory, boards/ranking-points.ts) is kept for it. Null on a PostgreSQL
	 * pool, whose queries go to any of its connections and whose other nodes' commits leave no
	 * cheap sign here (`othersCommitVersion` in db/store.ts): nothing is kept.
	 */
	connection: Queryable | null;
}

/** A source on a SQLite connection. */
export function sqliteSource(db: Queryable): RawSource {
	return { sql: SQLITE_SQL, connection: db };
}

const POSTGRES_SOURCE: RawSource = { sql: POSTGRES_SQL, connection: null };

// The queries take a handful of shapes with their values bound as parameters: each shape is
// prepared once per connection and kept, where db.all(sql) planned it again on every call (a
// board and a rank run a dozen of them; the planning cost more than the reads below 10,000
// players).
const dialect = new SQLiteSyncDialect();
const statements = new WeakMap<object, Map<string, Database.Statement>>();
const STATEMENTS_MAX = 200;

function statement(db: Queryable, query: SQL): { run: Database.Statement; params: unknown[] } {
	const client = clientOf(db);
	const { sql: text, params } = dialect.sqlToQuery(query);
	let cache = statements.get(client);
	if (!cache) statements.set(client, (cache = new Map()));
	let run = cache.get(text);
	if (!run) {
		if (cache.size >= STATEMENTS_MAX) cache.clear();
		cache.set(text, (run = client.prepare(text)));
	}
	return { run, params };
}

/** Runs reads on a SQLite connection (inside the caller's transaction, if any). */
export function runRawSync<T>(db: Queryable, reads: RawReads<T>): T {
	let step = reads.next();
	while (!step.done) {
		const { run, params } = statement(db, step.value.query);
		step = reads.next(step.value.one ? run.get(...params) : run.all(...params));
	}
	return step.value;
}

/**
 * Runs reads through the store, inside the caller's `read` (one snapshot with its other
 * queries). On SQLite on the read's own connection, synchronously, through the statements kept
 * above: the same work as `runRawSync`. On PostgreSQL each query awaited on `tx` (Drizzle's
 * `execute`: rows as objects, int8 read as numbers by the store's pool).
 */
export async function runRawOnStore<T>(
	tx: StoreDb,
	store: Store,
	reads: (source: RawSource) => RawReads<T>
): Promise<T> {
	if (store.dialect === 'sqlite')
		return runRawSync(store.sqlite, reads(sqliteSource(store.sqlite)));
	const steps = reads(POSTGRES_SOURCE);
	let step = steps.next();
	while (!step.done) {
		const { rows } = await tx.execute(step.value.query);
		step = steps.next(step.value.one ? rows[0] : rows);
	}
	return step.value;
}
