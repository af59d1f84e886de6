import { clientOf } from './prepared';
import type { Store } from './store';

// What a service asks the store where the two dialects answer differently, so that no service
// names the dialect itself (issue #20: "Services do not branch on the dialect except inside the
// store layer"; tests/unit/dialect-seams.test.ts keeps it so). The rest of the store layer:
// store.ts (write, read, preparedQuery), raw-reads.ts (raw SQL read on both),
// rows-in-write.ts (many rows in one write), cluster-lock.ts (one run across the nodes).

/**
 * Where a heavy read goes to keep it off the event loop: on SQLite `thread`, the read thread
 * (a worker with its own connection to the file; undefined when the server runs none); on
 * PostgreSQL `pool` (its queries wait on the server, not on this loop), undefined when the
 * caller reads through the store there anyway. Undefined: read on this thread.
 */
export function offLoopReader<R>(store: Store, thread: R | undefined, pool?: R): R | undefined {
	return store.dialect === 'sqlite' ? thread : pool;
}

/** The folder of the store's migrations: `drizzle` (SQLite's) or `drizzle-pg`. */
export function migrationsOf(store: Store): 'drizzle' | 'drizzle-pg' {
	return store.dialect === 'sqlite' ? 'drizzle' : 'drizzle-pg';
}

/**
 * What an in-memory cache of the store's data is kept under, so that two stores in one process
 * never share an entry: SQLite's connection (the same object `clientOf` gives the synchronous
 * code on it, which shares the entries), PostgreSQL's pool.
 */
export function cacheKeyOf(store: Store): object {
	return store.dialect === 'sqlite' ? clientOf(store.sqlite) : store.pool;
}

/**
 * Whether the store was closed (SQLite's connection, PostgreSQL's pool ending): background work
 * that then fails (a re-evaluation's next slice) stopped with the server, and is not an error.
 */
export function storeClosed(store: Store): boolean {
	return store.dialect === 'sqlite' ? !clientOf(store.sqlite).open : store.pool.ending;
}

/**
 * Whether the store's queries run on the event loop: SQLite's synchronous driver holds the
 * server for a whole transaction (work in slices then fits each to a time budget); PostgreSQL's
 * wait on the server while the loop turns.
 */
export function queriesHoldTheLoop(store: Store): boolean {
	return store.dialect === 'sqlite';
}
