import type Database from 'better-sqlite3';
import type { Queryable } from './index';

const caches = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** The better-sqlite3 connection under a Drizzle database or transaction (they share it). */
export function clientOf(db: Queryable): Database.Database {
	// Note: Drizzle keeps the driver on its session; this is not part of its typed API.
	return (db as unknown as { session: { client: Database.Database } }).session.client;
}

/**
 * A prepared statement cached per connection. The per-sale path runs the same few statements
 * thousands of times in an import; building each through Drizzle and preparing it again took
 * most of the import's time (see docs/benchmarks.md). Use plain SQL with `?` parameters here
 * only on such hot paths; everything else stays on Drizzle.
 */
export function statement(db: Queryable, sql: string): Database.Statement {
	const client = clientOf(db);
	let cache = caches.get(client);
	if (!cache) caches.set(client, (cache = new Map()));
	let prepared = cache.get(sql);
	if (!prepared) cache.set(sql, (prepared = client.prepare(sql)));
	return prepared;
}
