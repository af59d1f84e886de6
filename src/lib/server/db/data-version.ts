import type Database from 'better-sqlite3';
import type { Db } from '.';

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
