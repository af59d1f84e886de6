import type { Queryable } from './index';
import * as schema from './schema';
import { read, type Store, type StoreDb, type Tables } from './store';

// A read written once for both paths (one definition of each query, not a copy per path): the
// synchronous SQLite callers that are not ported (the boards' pushes in realtime/publish.ts and
// the read thread build the format views synchronously) and the store on either dialect. The
// read is a generator that builds each query with the `db` and `tables` it is given, yields it
// and receives its rows (`rowsOf`); `readsSync` runs it with better-sqlite3's `.all()`,
// `readsOnStore` awaits each query on a store's transaction. Like `boards/ranking-window.ts`'s
// raw-SQL core, for queries written with Drizzle's builders.

/** A Drizzle select, built on the `db` a read was given; what it resolves to is its rows. */
type Query = PromiseLike<unknown>;

export type Reads<T> = Generator<Query, T, unknown>;

/** The rows of `query`, inside a read: `const rows = yield* rowsOf(db.select()…)`. */
export function* rowsOf<R>(query: PromiseLike<R>): Generator<Query, R, unknown> {
	return (yield query) as R;
}

/**
 * Runs a read on a SQLite connection, synchronously (inside the caller's transaction, if any).
 * At run time the tables are SQLite's, typed as their PostgreSQL twins (their rows read the same).
 */
export function readsSync<T>(db: Queryable, reads: (db: StoreDb, tables: Tables) => Reads<T>): T {
	const steps = reads(db as unknown as StoreDb, schema as unknown as Tables);
	let step = steps.next();
	while (!step.done) step = steps.next((step.value as unknown as { all(): unknown }).all());
	return step.value;
}

/** Runs a read on a store's database or inside its `read`/`write` (`tx`), on either dialect. */
export async function readsOnStore<T>(
	tx: StoreDb,
	store: Store,
	reads: (db: StoreDb, tables: Tables) => Reads<T>
): Promise<T> {
	const steps = reads(tx, store.tables);
	let step = steps.next();
	while (!step.done) step = steps.next(await step.value);
	return step.value;
}

/** Runs a read on a store in one snapshot (`read` in db/store.ts), on either dialect. */
export function readOn<T>(
	store: Store,
	reads: (db: StoreDb, tables: Tables) => Reads<T>
): Promise<T> {
	return read(store, (tx) => readsOnStore(tx, store, reads));
}

/**
 * Runs a read on a store's database or transaction given with its tables, on either dialect:
 * for the store's functions that take `(db, tables)` rather than the store.
 */
export async function readsWith<T>(
	tx: StoreDb,
	tables: Tables,
	reads: (db: StoreDb, tables: Tables) => Reads<T>
): Promise<T> {
	const steps = reads(tx, tables);
	let step = steps.next();
	while (!step.done) step = steps.next(await step.value);
	return step.value;
}
