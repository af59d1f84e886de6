import type Database from 'better-sqlite3';
import type { Db } from '.';
import type { Store } from './store';

// SQLite's `PRAGMA data_version`: a number per connection that changes when another connection
// (another process: a second server, the CLI) committed to the database. The way an in-memory
// cache learns that someone else wrote (docs/process-state.md). Not free: outside a transaction
// it reads the WAL index like any read, about the cost of a primary-key read, so hot paths read
// it at most every so often. It also moves when this process's other connections commit (the
// read thread and the checkpoint thread write nothing, so in practice it does not).

const statements = new WeakMap<Database.Database, Database.Statement>();

/** The connection's data_version now (prepared once per connection). */
export function dataVersion(db: Db): number {
	let statement = statements.get(db.$client);
	if (!statement)
		statements.set(db.$client, (statement = db.$client.prepare('PRAGMA data_version').pluck()));
	return statement.get() as number;
}

const changeCounts = new WeakMap<Database.Database, Database.Statement>();

/**
 * How many rows this connection has inserted, changed or deleted since it opened (SQLite's
 * total_changes(), triggers' included): with dataVersion, whether anything at all was written
 * since a moment, by this process or another. Far cheaper than dataVersion (~0.1 µs: no read of
 * the WAL index). It moves on a rolled-back write too, which only makes a cache forget early.
 */
export function ownChanges(db: Db): number {
	let statement = changeCounts.get(db.$client);
	if (!statement)
		changeCounts.set(
			db.$client,
			(statement = db.$client.prepare('SELECT total_changes()').pluck())
		);
	return statement.get() as number;
}

/**
 * A stamp of everything written to the store's database, to compare with one taken earlier: on
 * SQLite this connection's changes and data_version (whatever this process or another wrote
 * moves it; taken inside a write, nothing else can write before its commit), null on PostgreSQL,
 * where other nodes' commits leave no cheap sign: a cache there stamps the rows it depends on
 * instead (imports/window-lookups.ts).
 */
export function writesStamp(store: Store): string | null {
	if (store.dialect !== 'sqlite') return null;
	return `${ownChanges(store.sqlite)}:${dataVersion(store.sqlite)}`;
}
