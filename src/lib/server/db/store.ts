// The store: the database a ported service talks to, on SQLite or PostgreSQL (#20). The rules
// for writing a service against it are in docs/postgres.md, "The store layer"; in short:
// - every query is a Drizzle builder that is awaited (`await store.db.select()…`), never
//   `.run()`/`.get()`/`.all()` (SQLite-only; `StoreDb` is typed from the PostgreSQL dialect, so
//   they do not compile), with the tables of `store.tables`;
// - every write is one `write(store, async (tx) => …)`, whose callback awaits nothing but `tx`,
//   has no effect outside the database (PostgreSQL may run it again) and does not nest writes.
// Dialect-specific code stays in this file and its neighbours in db/ (dialect.ts lists them).
import type Database from 'better-sqlite3';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import type { NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import type { NodePgSession, NodePgTransaction } from 'drizzle-orm/node-postgres/session';
import { is, sql } from 'drizzle-orm';
import type { PgDatabase, PgDialect, PgPreparedQuery } from 'drizzle-orm/pg-core';
import type { Pool, PoolClient } from 'pg';
import {
	closeDb,
	databaseUrl,
	getDb,
	isPostgresUrl,
	migrationsFolder,
	openDatabase,
	schema,
	type Db
} from './index';
import { dataVersion } from './data-version';
import type * as pgSchema from './schema.pg';
import { log } from '../shared/log';
import { AppError } from '../shared/errors';

/**
 * What a service queries with: the store's database or a write's transaction. Typed from the
 * PostgreSQL dialect, whose builders SQLite's match where both are awaited; SQLite's synchronous
 * extras (`.run()`, `.all()`, `.get()`) thus do not compile. The affected-row count of an
 * unreturning write differs (`changes` / `rowCount`): use `.returning()` instead.
 */
export type StoreDb = PgDatabase<NodePgQueryResultHKT, typeof pgSchema>;

/** The tables, same export names in schema.ts and schema.pg.ts; the row types are the same. */
export type Tables = typeof pgSchema;

export type Store =
	| { dialect: 'sqlite'; db: StoreDb; tables: Tables; sqlite: Db }
	| { dialect: 'postgres'; db: StoreDb; tables: Tables; pool: Pool };

/** A write's callback awaited something that was not its transaction (docs/postgres.md). */
export class WriteAwaitedIoError extends Error {
	constructor(options?: { cause?: unknown }) {
		super(
			'A write callback let the event loop run (it awaited I/O or a timer, not only its ' +
				'transaction): the write was rolled back. Do that work before or after write().',
			options
		);
		this.name = 'WriteAwaitedIoError';
	}
}

/** A store on an open SQLite connection (the app's one writer connection, or a test's). */
export function sqliteStore(db: Db): Store {
	const client = db.$client;
	// The store's own Drizzle on the connection, whose statements come from the cache below.
	const cached = {
		[CONNECTION]: { client, state: { broken: false } },
		prepare: (source: string) => cachedStatement(client, source),
		transaction() {
			throw new Error('A store opens its transactions with write() or read(), not transaction()');
		}
	};
	// Without the schema's relational config (Drizzle's `db.query`, which no store code uses and
	// the PostgreSQL store's Drizzle does not have either): building it cost every connection's
	// store ~1–5 ms again after openDatabase's Drizzle had built it (docs/benchmarks.md, "The
	// read thread's load on SQLite").
	const storeDb = drizzleSqlite(cached as unknown as Database.Database);
	return {
		dialect: 'sqlite',
		db: storeDb as unknown as StoreDb,
		tables: asTables(schema),
		sqlite: db
	};
}

/** How many statements of the store's queries a SQLite connection keeps prepared. */
export const STATEMENTS_KEPT = 500;
const statementsOf = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/**
 * The statement of `source` on this connection, prepared once and kept (the least recently used
 * dropped past STATEMENTS_KEPT). Drizzle prepares every query it runs again, which cost a ported
 * command more than the synchronous code it replaced (docs/benchmarks.md): a store's queries are
 * Drizzle builders with bound parameters, so the same few texts come back on every call.
 */
function cachedStatement(client: Database.Database, source: string): Database.Statement {
	let statements = statementsOf.get(client);
	if (!statements) statementsOf.set(client, (statements = new Map()));
	const statement = statements.get(source);
	// Note: busy = an iterator is still open on it; a fresh statement, not kept, serves this one.
	if (statement === undefined || statement.busy) {
		const fresh = client.prepare(source);
		if (statement === undefined) {
			if (statements.size >= STATEMENTS_KEPT) statements.delete(statements.keys().next().value!);
			statements.set(source, fresh);
		}
		return fresh;
	}
	statements.delete(source); // moved to the end: the most recently used
	statements.set(source, statement);
	// Drizzle turns raw mode on for the queries it maps itself (`stmt.raw().all()`) and calls
	// `stmt.all()` for those it does not: a kept statement starts each use in the default mode.
	if (statement.reader) statement.raw(false);
	return statement;
}

/** Where a SQLite store's Drizzle (its `db`, a write's `tx`) runs: the connection, and the write's state. */
// Note: registered (Symbol.for), not unique per module: the production build holds two copies of
// this module (server.ts's bundle and SvelteKit's), and the app's store one made is used by the
// other (getStore's holder is global). A unique symbol made connectionOf refuse the other copy's
// `store.db`: the sales route's replay read answered 500 under SvelteKit (api-fast-sales.test.ts).
const CONNECTION = Symbol.for('honorboard.storeConnection');
type Connection = { client: Database.Database; state: { broken: boolean } };

/** The connection and write state a SQLite store's Drizzle (its `db`, a write's `tx`) runs on. */
function connectionOf(tx: StoreDb): Connection {
	// Note: Drizzle's session and its client are internal (not in its types); the client is the
	// object sqliteStore or a write gave Drizzle, marked with its connection.
	const connection = (tx as unknown as { session: { client: { [CONNECTION]?: Connection } } })
		.session.client[CONNECTION];
	if (!connection) throw new Error('not a SQLite store database or transaction');
	return connection;
}

/**
 * A query `build` makes from the tables with `sql.placeholder()` for its values and ends with
 * `.prepare(name)`, run with `.execute({ … })`. Drizzle then builds its SQL once instead of on
 * every call: building is what a store command cost beyond the synchronous code it replaced
 * (checking each part with `is()`, assembling the text; docs/benchmarks.md). For the paths
 * that run per sale or per request.
 * - SQLite: built once per connection (and per `build`, a module-level function) and run on
 *   that connection, inside the write or read it is called in; refused once that write broke
 *   its rule (`WriteAwaitedIoError`), as the write's other statements are.
 * - PostgreSQL: built once per store on its pool, then run on `tx`'s client (pg's connection
 *   of the transaction) through a view of the built query (postgresQueryOn); `name` makes it a
 *   prepared statement of that connection, parsed and planned once per connection.
 */
export function preparedQuery<Q>(
	tx: StoreDb,
	store: Store,
	build: (db: StoreDb, tables: Tables) => Q
): Q {
	if (store.dialect === 'postgres') return postgresQueryOn(tx, store, build);
	const connection = connectionOf(tx);
	if (connection.state.broken) throw new WriteAwaitedIoError();
	let queries = preparedOf.get(connection.client);
	if (!queries) preparedOf.set(connection.client, (queries = new Map()));
	let query = queries.get(build) as Q | undefined;
	if (query === undefined) {
		// On a Drizzle of the bare connection: the statement is the query's own, prepared here
		// once, not one of the cache's, which other queries share and reset. Without the
		// relational config, as the store's own Drizzle (sqliteStore).
		const own = drizzleSqlite(connection.client) as unknown as StoreDb;
		queries.set(build, (query = build(own, store.tables)));
	}
	return query;
}

const preparedOf = new WeakMap<Database.Database, Map<unknown, unknown>>();

/**
 * PostgreSQL: `build`'s query built once per store (on its pool's Drizzle) and run on the
 * client `tx` holds. Building it on `tx` at each call cost most of a sale's CPU in the app
 * (Drizzle's `is()` checks and the SQL text assembled again: 2.3-2.7 ms of the server's CPU per
 * sale, docs/benchmarks.md "The prepared queries on PostgreSQL"). A built query (node-postgres'
 * prepared query) keeps its SQL, its placeholders and how it maps rows, and reads its connection
 * from its `client` field: the view below is the built query with `tx`'s client instead, so
 * that it runs inside `tx`'s transaction (a savepoint of it included: a nested transaction
 * shares its session). Anything else `build` returns is built on `tx` each time as before.
 */
function postgresQueryOn<Q>(
	tx: StoreDb,
	store: Store,
	build: (db: StoreDb, tables: Tables) => Q
): Q {
	let queries = builtOnPool.get(store.db);
	if (!queries) builtOnPool.set(store.db, (queries = new Map()));
	let built = queries.get(build) as Q | undefined;
	if (built === undefined) queries.set(build, (built = build(store.db, store.tables)));
	// Note: Drizzle's session and a prepared query's client are internal (not in its types).
	if (!is(built, postgresDriver().PgPreparedQuery) || !('client' in built))
		return build(tx, store.tables);
	const { client } = (tx as unknown as { session: { client: unknown } }).session;
	return Object.create(built, { client: { value: client } }) as Q;
}

const builtOnPool = new WeakMap<object, Map<unknown, unknown>>();

/**
 * Runs `work` inside a savepoint of the write `tx` belongs to: when it throws, only what it
 * wrote is undone and the error is thrown on, and the write goes on with its other steps (a
 * group of sales in one write, each refused alone). Nested savepoints nest.
 * - SQLite: SAVEPOINT/RELEASE on the write's connection (a write's Drizzle refuses
 *   `transaction()`); refused once the write broke its rule, as its statements are.
 * - PostgreSQL: Drizzle's nested transaction, which is a savepoint of `tx`'s transaction.
 */
export async function savepointInWrite<T>(
	tx: StoreDb,
	store: Store,
	work: (sp: StoreDb) => Promise<T>
): Promise<T> {
	if (store.dialect === 'postgres') return (await tx.transaction((sp) => work(sp))) as T;
	const connection = connectionOf(tx);
	if (connection.state.broken) throw new WriteAwaitedIoError();
	const { client } = connection;
	if (!client.inTransaction) throw new Error('savepointInWrite: not inside a write');
	client.exec(`SAVEPOINT ${SAVEPOINT}`);
	try {
		const result = await work(tx);
		if (connection.state.broken) throw new WriteAwaitedIoError();
		client.exec(`RELEASE ${SAVEPOINT}`);
		return result;
	} catch (error) {
		// The most recent savepoint of the name is this one's (the nested ones were released).
		if (!connection.state.broken && client.inTransaction)
			client.exec(`ROLLBACK TO ${SAVEPOINT}; RELEASE ${SAVEPOINT}`);
		throw error;
	}
}

const SAVEPOINT = 'hb_step';

function asTables(tables: typeof schema): Tables {
	// Note: on SQLite the SQLite tables, typed as their PostgreSQL twins (schema-pg-source.ts
	// gives each column the SQLite column's `$type`, so a row reads the same on both).
	return tables as unknown as Tables;
}

/** Drizzle's classes of the PostgreSQL half that `write` and `preparedQuery` use on a pool. */
type PostgresDriver = {
	NodePgSession: typeof NodePgSession;
	NodePgTransaction: typeof NodePgTransaction;
	PgPreparedQuery: typeof PgPreparedQuery;
	/** pg's own: a parameter's text as it would bind it, and that text as a quoted literal. */
	prepareValue: (value: unknown) => unknown;
	escapeLiteral: (text: string) => string;
};
// Loaded by openStore, the one maker of a PostgreSQL store, and kept on globalThis (the app is
// bundled more than once: a store one copy opened is written through by the other), so that a
// SQLite process (the server, the read thread) never loads pg and Drizzle's PostgreSQL half
// (docs/benchmarks.md, "The read thread's load on SQLite").
const DRIVER = Symbol.for('honorboard.store.postgresDriver');
type DriverHolder = { [DRIVER]?: PostgresDriver };

function postgresDriver(): PostgresDriver {
	const driver = (globalThis as DriverHolder)[DRIVER];
	if (!driver) throw new Error('A PostgreSQL store is opened by openStore, which loads its driver');
	return driver;
}

/** An int8's text as a number; past 2⁵³ an error, not a rounded number. */
function int8(text: string): number {
	const value = Number(text);
	if (!Number.isSafeInteger(value))
		throw new RangeError(`A bigint of PostgreSQL (${text}) does not fit a JavaScript number`);
	return value;
}
const INT8_OID = 20;
/** Serializes the PostgreSQL migrations of nodes starting together (any constant of our own). */
const MIGRATION_LOCK = 0x486f6e6f72; // "Honor"

/**
 * Opens the store a DATABASE_URL names: a file (or `:memory:`) → better-sqlite3 as
 * `openDatabase` opens it; `postgres://…` → a node-postgres pool, its drizzle-pg migrations
 * applied (under an advisory lock, so that nodes starting together migrate once).
 */
export async function openStore(url: string): Promise<Store> {
	if (!isPostgresUrl(url)) return sqliteStore(openDatabase(url));
	// Loaded only here: a SQLite server never loads the driver or the PostgreSQL schema.
	const { default: pg } = await import('pg');
	const { drizzle } = await import('drizzle-orm/node-postgres');
	const { migrate } = await import('drizzle-orm/node-postgres/migrator');
	const pgTables = await import('./schema.pg');
	const { NodePgSession, NodePgTransaction } = await import('drizzle-orm/node-postgres/session');
	const { PgPreparedQuery } = await import('drizzle-orm/pg-core');
	(globalThis as DriverHolder)[DRIVER] ??= {
		NodePgSession,
		NodePgTransaction,
		PgPreparedQuery,
		// Note: pg exports its utils, not in its types.
		prepareValue: (pg as unknown as { utils: Pick<PostgresDriver, 'prepareValue'> }).utils
			.prepareValue,
		escapeLiteral: pg.escapeLiteral
	};
	// int8 (every integer column, count(*)) as numbers: node-postgres reads it as text. Global,
	// because Drizzle's node-postgres session looks each query's parsers up in pg's global
	// registry (a pool's own `types` never reach its queries); migrate-to takes numbers as well.
	pg.types.setTypeParser(INT8_OID, int8);
	const pool = new pg.Pool({ connectionString: url });
	// An idle client's error (the server restarted) must not crash the process: the pool drops
	// that client and the next query gets a new connection.
	// Only the message and the code: pg-pool sets `err.client` to the failed client, whose
	// fields (its connection, settings, queue) would fill the log line.
	pool.on('error', (error) =>
		log.warn(
			{ message: error.message, code: (error as { code?: unknown }).code },
			'PostgreSQL: an idle connection failed'
		)
	);
	// A client a write holds between its queries when the server ends the connection (a restart)
	// emits 'error', and pg-pool listens only while the client is idle: with no listener of its
	// own that would be an uncaught exception. The write fails on its next query and says why.
	pool.on('connect', (client) => client.on('error', () => {}));
	try {
		const client = await pool.connect();
		try {
			client.on('notice', () => {}); // "relation … already exists, skipping": not ours to print
			await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
			try {
				await migrate(drizzle(client), { migrationsFolder: migrationsFolder('drizzle-pg') });
			} finally {
				await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
			}
		} finally {
			client.release();
		}
	} catch (error) {
		await pool.end();
		throw error;
	}
	return {
		dialect: 'postgres',
		db: drizzle(pool) as unknown as StoreDb,
		tables: pgTables as Tables,
		pool
	};
}

/** Closes what `openStore` opened. */
export async function closeStore(store: Store): Promise<void> {
	if (store.dialect === 'postgres') await store.pool.end();
	else store.sqlite.$client.close();
}

// The app's store: on SQLite the app's connection (getDb), one writer shared with the code not
// ported yet; on PostgreSQL (DATABASE_URL=postgres://…) the pool, opened once at start-up by
// openAppStore. Kept on globalThis like the connection (the app is bundled more than once).
const KEY = Symbol.for('honorboard.store');
const OPENING = Symbol.for('honorboard.store.opening');
type Holder = {
	/** `db` null: the PostgreSQL pool's store. */
	[KEY]?: { db: Db | null; store: Store };
	[OPENING]?: Promise<Store>;
};

/**
 * The app's store: the one DATABASE_URL names. On PostgreSQL it is the pool openAppStore opened
 * at start-up (hooks.server.ts `init`, server.ts, the CLI); asked for before that, an error.
 */
export function getStore(): Store {
	const holder = globalThis as Holder;
	const held = holder[KEY];
	if (held && held.db === null) return held.store;
	if (!held && isPostgresUrl(databaseUrl()))
		throw new Error('The PostgreSQL store is not open yet: openAppStore() opens it at start-up');
	const db = getDb();
	if (held?.db !== db) holder[KEY] = { db, store: sqliteStore(db) };
	return holder[KEY]!.store;
}

/**
 * Opens the app's store once, before the first request: on `postgres://…` the pool, migrated
 * (openStore); on SQLite the app's connection (getDb), migrated as before.
 */
export function openAppStore(): Promise<Store> {
	const holder = globalThis as Holder;
	if (!holder[OPENING]) {
		const opening = (async () => {
			const url = databaseUrl();
			if (!isPostgresUrl(url)) return getStore();
			const store = await openStore(url);
			holder[KEY] = { db: null, store };
			return store;
		})();
		holder[OPENING] = opening;
		// A failed open (the server unreachable) is not kept: the next call tries again.
		opening.catch(() => {
			if (holder[OPENING] === opening) delete holder[OPENING];
		});
	}
	return holder[OPENING];
}

/** Closes the app's store: the pool on PostgreSQL, the connection on SQLite (closeDb). */
export async function closeAppStore(): Promise<void> {
	const holder = globalThis as Holder;
	const held = holder[KEY];
	delete holder[KEY];
	delete holder[OPENING];
	if (held?.db === null) await closeStore(held.store);
	else closeDb();
}

/**
 * Whether the store's database is still open: a background job's failure once it was closed (a
 * test's end, a shutdown) is not worth a log line.
 */
export function storeOpen(store: Store): boolean {
	return store.dialect === 'sqlite' ? store.sqlite.$client.open : !store.pool.ending;
}

/** Whether the app's store is PostgreSQL's (DATABASE_URL), without opening anything. */
export function appOnPostgres(): boolean {
	return isPostgresUrl(databaseUrl());
}

/**
 * The synchronous connection under a SQLite store, for the code a ported command still hands
 * on to that is not ported (the badges' engine: activities/record.ts); null on PostgreSQL,
 * where that code cannot run yet (docs/postgres.md, "Running on PostgreSQL").
 */
export function unportedSqlite(store: Store): Db | null {
	return store.dialect === 'sqlite' ? store.sqlite : null;
}

/**
 * The write's own SQLite connection, for synchronous statements inside its transaction (the
 * store layer's: rows-in-write.ts, many-rows.ts); refused once the write broke its rule, as
 * its other statements are. Null on PostgreSQL, whose writes have no synchronous connection.
 */
export function sqliteOfWrite(tx: StoreDb, store: Store): Db | null {
	if (store.dialect !== 'sqlite') return null;
	if (connectionOf(tx).state.broken) throw new WriteAwaitedIoError();
	return store.sqlite;
}

/**
 * When the newest migration applied to the store's database was made (what Drizzle's migrator
 * records: SQLite's `__drizzle_migrations`, PostgreSQL's `drizzle.__drizzle_migrations`), null
 * when none is; throws when the database does not answer. For the readiness check (shared/ops.ts).
 */
export async function newestAppliedMigration(store: Store): Promise<number | null> {
	if (store.dialect === 'sqlite')
		return store.sqlite.$client
			.prepare('select max(created_at) from "__drizzle_migrations"')
			.pluck()
			.get() as number | null;
	const { rows } = await store.pool.query<{ applied: string | number | null }>(
		'select max(created_at) as applied from drizzle.__drizzle_migrations'
	);
	return rows[0]?.applied == null ? null : Number(rows[0].applied);
}

/**
 * A number that moves when another connection to the database committed (SQLite's
 * data_version, db/data-version.ts: another process, or another node on the same file), for an
 * in-memory cache to learn that it may be stale. Null on PostgreSQL: other nodes' commits leave
 * no cheap sign here, so a cache there reads the database instead of trusting itself.
 */
export function othersCommitVersion(store: Store): number | null {
	return store.dialect === 'sqlite' ? dataVersion(store.sqlite) : null;
}

/**
 * Whether this process sees every write to the database cheaply (`writesStamp`,
 * db/data-version.ts): on SQLite its connection counts its own writes and other processes'
 * commits, so an answer held in memory is known to be current until the stamp moves; on
 * PostgreSQL another node may have changed a row since, and nothing here says so: hold nothing,
 * read the database.
 */
export function writesSeenHere(store: Store): boolean {
	return store.dialect === 'sqlite';
}

/**
 * How often a PostgreSQL write is tried when it loses a serialization conflict; before each
 * retry a random pause that doubles, so that writes that collided do not collide again.
 */
const SERIALIZATION_ATTEMPTS = 10;
const FIRST_RETRY_PAUSE_MS = 2;

/** How a PostgreSQL write that lost a serialization conflict runs again (`write`'s options). */
export interface WriteOptions {
	/**
	 * When the write first takes the season table (`claimSeasonsInWrite`), on PostgreSQL: on every
	 * run, or on the runs after a loss. A write that touches many standings (a group of sales, an
	 * import's window) otherwise loses again and again to other nodes' writes of the same
	 * standings. Unset: never.
	 */
	claimSeasons?: 'always' | 'afterLoss';
}

/**
 * Runs `work` in one transaction and returns what it returns; a throw rolls everything back.
 * Both dialects give the same guarantee: the transaction is serializable, as if no other write
 * ran during it.
 * - SQLite: BEGIN IMMEDIATE (the write lock up front) … COMMIT by hand, because better-sqlite3's
 *   transaction() refuses an async function. Its queries are synchronous, so the awaits between
 *   them only run microtasks; the transaction starts in a macrotask of its own, so no other
 *   request's code is queued among them. A callback that lets the event loop run is rolled back
 *   (`WriteAwaitedIoError`).
 * - PostgreSQL: a pool client in BEGIN ISOLATION LEVEL SERIALIZABLE … COMMIT (`inPostgresWrite`:
 *   Drizzle's node-postgres transaction, its begin and claim one round trip), run again when
 *   PostgreSQL reports a serialization failure or a deadlock (up to SERIALIZATION_ATTEMPTS
 *   times; then a 503 `database_busy`: nothing was written, and the same request sent again, an
 *   API sale with its externalId, is counted once).
 */
export async function write<T>(
	store: Store,
	work: (tx: StoreDb) => Promise<T>,
	options: WriteOptions = {}
): Promise<T> {
	if (store.dialect === 'sqlite') return inSqliteTransaction(store.sqlite, 'BEGIN IMMEDIATE', work);
	for (let attempt = 1; ; attempt++) {
		const claim =
			options.claimSeasons === 'always' || (options.claimSeasons === 'afterLoss' && attempt > 1);
		try {
			return await inPostgresWrite(store, claim, work);
		} catch (error) {
			if (!isSerializationFailure(error)) throw error;
			if (attempt >= SERIALIZATION_ATTEMPTS) throw databaseBusy(error);
			const pause = Math.random() * FIRST_RETRY_PAUSE_MS * 2 ** Math.min(attempt, 6);
			await new Promise((resolve) => setTimeout(resolve, pause));
		}
	}
}

/**
 * One run of a PostgreSQL write: Drizzle's node-postgres transaction, except that its `begin`
 * and the season table's claim (`begin …; lock table …`) are held and sent with the write's first
 * statement: in front of it as one simple-protocol string when it is the write's opening query
 * (openingQuery: a lone sale's read ahead, one round trip fewer), else on their own just before
 * it. A failure anywhere rolls back (a `begin` that ran leaves an aborted transaction behind a
 * failed lock) and releases the client, destroyed if even the rollback failed (a broken
 * connection); Drizzle's own sends `begin` before its `try`, so a lock that failed there would
 * keep the pool's client.
 */
async function inPostgresWrite<T>(
	store: Store & { dialect: 'postgres' },
	claim: boolean,
	work: (tx: StoreDb) => Promise<T>
): Promise<T> {
	const { session: poolSession, dialect } = store.db as unknown as {
		session: InstanceType<typeof NodePgSession>;
		dialect: PgDialect;
	};
	const client = await store.pool.connect();
	const { schema: txSchema, options } = poolSession as unknown as {
		schema: ConstructorParameters<typeof NodePgSession>[2];
		options: ConstructorParameters<typeof NodePgSession>[3];
	};
	const driver = postgresDriver();
	const session = new driver.NodePgSession(client, dialect, txSchema, options);
	const tx = new driver.NodePgTransaction(dialect, session, txSchema);
	const begin = claim
		? dialect.sqlToQuery(
				sql`begin isolation level serializable; lock table ${store.tables.season} in share row exclusive mode`
			).sql
		: 'begin isolation level serializable';
	hold(client).begin = begin;
	let broken = false;
	try {
		const result = await work(tx as unknown as StoreDb);
		const held = takeHeld(client);
		const failed = rowsFailedOf.get(client);
		// The held rows failed when another statement sent them: the write fails with their error.
		if (failed) throw failed.error;
		// Nothing sent: nothing to commit.
		if (!held?.begin || held.deferred || held.rows) await commitWith(client, held);
		return result;
	} catch (error) {
		const held = takeHeld(client);
		if (!held?.begin)
			try {
				await client.query('rollback');
			} catch {
				broken = true;
			}
		// Once the held rows failed, what the write sent after them failed for that reason.
		throw rowsFailedOf.get(client)?.error ?? error;
	} finally {
		rowsFailedOf.delete(client);
		client.release(broken || undefined);
	}
}

/**
 * What a PostgreSQL write holds to send with a later statement: its `begin` until its first
 * statement, its rows' statement (deferRowsInWrite) and its step's statement (deferInWrite),
 * both to go with its COMMIT, in that order.
 */
interface Held {
	begin?: string;
	rows?: HeldRows;
	deferred?: Deferred;
}

/**
 * A write's statement held for its COMMIT (deferRowsInWrite): a named statement prepared on the
 * write's connection, sent as `EXECUTE` in the COMMIT's string. Unlike a Deferred statement its
 * failure fails the write.
 */
interface HeldRows {
	name: string;
	text: string;
	values: unknown[];
	/** Given the statement's rows once it has run. */
	answer: (rows: unknown[]) => void;
	/**
	 * A query (no parameters) that reads the same rows again after it ran: the COMMIT's string
	 * failed in its Deferred part and was rolled back to its savepoint, which drops the answers.
	 */
	again: string;
}

/**
 * A statement of a PostgreSQL write that answers nothing, held to be sent with the write's
 * COMMIT (deferInWrite): a simple-protocol string that opens `savepoint` first.
 */
interface Deferred {
	text: string;
	savepoint: string;
	/** Called once the write has committed without it (it failed and was rolled back to `savepoint`). */
	rescue: (error: unknown) => void;
	/** Its step has returned: a failure of it is rescued, not thrown (deferredStepEnded). */
	stepEnded: boolean;
}

type Query = (...args: unknown[]) => unknown;
const heldOf = new WeakMap<object, Held>();

/** The node-postgres client a PostgreSQL write's `tx` runs on. */
function clientOfWrite(tx: StoreDb): PoolClient {
	// Note: Drizzle's session and its client are internal (not in its types).
	return (tx as unknown as { session: { client: PoolClient } }).session.client;
}

/**
 * What the write on `client` holds, made empty if nothing: any statement sent on the client
 * sends what is held first (its begin, then its deferred statement), on its own.
 */
function hold(client: PoolClient): Held {
	let held = heldOf.get(client);
	if (held) return held;
	heldOf.set(client, (held = {}));
	// Note: on the instance, calling the prototype's query (that a test may count) when sent.
	(client as unknown as { query: Query }).query = (...args: unknown[]) => {
		const taken = takeHeld(client);
		const query = (client as unknown as { query: Query }).query.bind(client);
		return sendHeld(client, taken).then(() => query(...args));
	};
	return held;
}

function takeHeld(client: PoolClient): Held | undefined {
	const held = heldOf.get(client);
	if (!held) return undefined;
	heldOf.delete(client);
	delete (client as unknown as { query?: Query }).query;
	return held;
}

async function sendHeld(client: PoolClient, held: Held | undefined): Promise<void> {
	if (held?.begin) await client.query(held.begin);
	if (held?.rows) await sendRows(client, held.rows);
	if (held?.deferred) await sendDeferred(client, held.deferred);
}

/** The held rows' statement on its own (another statement of the write goes first). */
async function sendRows(client: PoolClient, rows: HeldRows): Promise<void> {
	const { name, text, values } = rows;
	try {
		rows.answer((await client.query({ name, text, values })).rows);
	} catch (error) {
		// The write fails with it, whoever catches it on the way (a badge step catches its own).
		if (!isSerializationFailure(error)) rowsFailedOf.set(client, { error });
		throw error;
	}
}

/** A write whose held rows failed when sent on their own (sendRows): it must not commit. */
const rowsFailedOf = new WeakMap<PoolClient, { error: unknown }>();

/**
 * The query preparedQuery gives, sent as the write's opening statement: on PostgreSQL, while
 * nothing of the write was sent and the query's named statement is prepared on the write's
 * connection, as `EXECUTE <name>(…)` in one simple-protocol string after the write's `begin`
 * (and its claim), its answer that string's last result: a round trip fewer. The values are
 * written in as quoted literals (pg's own conversion of each), which PostgreSQL casts to the
 * statement's parameter types; the statement is parsed once per connection and planned as a
 * Bind of it would be. With `genericPlan` it runs on its generic plan (`plan_cache_mode` set for
 * that one statement in the same string), planned once per connection where PostgreSQL chose to
 * plan it for each run: for a statement whose generic plan is as good as its custom ones (the
 * read ahead: planning it cost 1–2 ms, more than running it; docs/benchmarks.md). On a
 * connection that has not prepared it yet, the `begin` goes alone and the query as
 * preparedQuery's, which prepares it. A serialization failure anywhere in the string fails the
 * query, and `write` runs the whole write again. Once the write has sent something,
 * preparedQuery's own; on SQLite too (its begin ran).
 */
export function openingQuery<Q>(
	tx: StoreDb,
	store: Store,
	build: (db: StoreDb, tables: Tables) => Q,
	{ genericPlan = false }: { genericPlan?: boolean } = {}
): Q {
	const query = preparedQuery(tx, store, build);
	if (store.dialect !== 'postgres' || !is(query, postgresDriver().PgPreparedQuery)) return query;
	const client = clientOfWrite(tx);
	const opening = {
		query: (
			config: { name?: string; text: string; rowMode?: 'array'; types?: unknown },
			params: unknown[]
		) => {
			const held = heldOf.get(client);
			const { name, rowMode, types } = config;
			if (
				!held?.begin ||
				held.deferred ||
				held.rows ||
				!name ||
				!preparedOn(client, name, config.text)
			)
				return client.query(config as never, params as never);
			takeHeld(client);
			const execute = `execute ${name}(${params.map(literalOf).join(', ')})`;
			const text = genericPlan
				? `${held.begin}; ${GENERIC_PLAN}; ${execute}; ${AUTO_PLAN}`
				: `${held.begin}; ${execute}`;
			// One result per statement of the string: the query's is the last but `AUTO_PLAN`'s.
			return (client.query({ text, rowMode, types } as never) as Promise<unknown>).then(
				(results) => (Array.isArray(results) ? results.at(genericPlan ? -2 : -1) : results)
			);
		}
	};
	return Object.create(query as object, { client: { value: opening } }) as Q;
}

// For the transaction only, and back to the connection's own for its next statements.
const GENERIC_PLAN = 'set local plan_cache_mode = force_generic_plan';
const AUTO_PLAN = 'set local plan_cache_mode to default';

/** Whether pg has prepared the statement `name` of `text` on the client's connection. */
function preparedOn(client: PoolClient, name: string, text: string): boolean {
	// Note: pg's record of the statements it parsed on a connection is internal (not in its types).
	const { connection } = client as unknown as {
		connection?: { parsedStatements?: Record<string, string> };
	};
	return connection?.parsedStatements?.[name] === text;
}

/**
 * A parameter's value as a quoted literal, as pg would bind it (null: `null`; an array as
 * PostgreSQL's array text): for a value written into a simple-protocol string.
 */
export function literalOf(param: unknown): string {
	const { prepareValue, escapeLiteral } = postgresDriver();
	const value = prepareValue(param);
	return value === null ? 'null' : escapeLiteral(String(value));
}

/**
 * PostgreSQL: holds `text` (one or more statements that answer nothing, the first of them
 * `SAVEPOINT <savepoint>`) to go with the write's COMMIT in one round trip, where it would be one
 * of its own: a lone sale's badge step's write. Any other statement of the write sent before the
 * COMMIT sends it first, on its own. Until deferredStepEnded a failure of it is thrown (its step
 * rolls back to the savepoint); after, it is rolled back to the savepoint, `rescue` is told, and
 * the write goes on and commits. One at a time: false (nothing held) when one is held already.
 */
export function deferInWrite(
	tx: StoreDb,
	text: string,
	savepoint: string,
	rescue: (error: unknown) => void
): boolean {
	const held = hold(clientOfWrite(tx));
	if (held.deferred) return false;
	held.deferred = { text, savepoint, rescue, stepEnded: false };
	return true;
}

/** The step that deferred a statement has returned: a failure of it no longer throws. */
export function deferredStepEnded(tx: StoreDb): void {
	const deferred = heldOf.get(clientOfWrite(tx))?.deferred;
	if (deferred) deferred.stepEnded = true;
}

/** Forgets the statement deferred and not sent yet; false when there is none. */
export function dropDeferredInWrite(tx: StoreDb): boolean {
	const client = clientOfWrite(tx);
	const held = heldOf.get(client);
	if (!held?.deferred) return false;
	delete held.deferred;
	if (!held.begin && !held.rows) takeHeld(client);
	return true;
}

/**
 * PostgreSQL: holds the write's named statement `name` (`text`, its `values`) to go with the
 * write's COMMIT, as `EXECUTE <name>(…)` at the head of the COMMIT's string (the values written in
 * as literals, as openingQuery's), where it would be a round trip of its own: a lone sale's rows
 * (scoring/write-batch.ts). `answer` is given its rows once it has run, before the write's
 * `write` returns; nothing of the write may need them before its COMMIT. Any other statement of
 * the write sent before the COMMIT sends it first, on its own. A failure of it fails the write
 * (nothing of it committed), wherever it is sent; when the step deferred after it (deferInWrite)
 * fails at the COMMIT, the write is rolled back to the step's savepoint, `again` read for the
 * answer and the write committed. False (nothing held) when the statement is not prepared on the
 * write's connection yet (send it, which prepares it) or something is held already.
 */
export function deferRowsInWrite(
	tx: StoreDb,
	statement: { name: string; text: string; values: unknown[] },
	answer: (rows: unknown[]) => void,
	again: string
): boolean {
	const client = clientOfWrite(tx);
	const held = heldOf.get(client);
	if (held?.rows || held?.deferred || !preparedOn(client, statement.name, statement.text))
		return false;
	hold(client).rows = { ...statement, answer, again };
	return true;
}

async function sendDeferred(client: PoolClient, deferred: Deferred): Promise<void> {
	try {
		await client.query(deferred.text);
	} catch (error) {
		if (!deferred.stepEnded || isSerializationFailure(error)) throw error;
		await client.query(`ROLLBACK TO SAVEPOINT ${deferred.savepoint}`);
		deferred.rescue(error);
	}
}

/**
 * The write's COMMIT, with what it holds in the same string: its begin if nothing else was sent,
 * its rows' statement (deferRowsInWrite), its step's statement (deferInWrite). When the string
 * fails (not a conflict: `write` runs those again) and a step's statement was in it, the write is
 * rolled back to the step's savepoint, the rows' answer read again, and the write committed
 * without the step, its `rescue` told; if it was the rows that failed, the savepoint was never
 * made, that rollback fails, and so does the write, with the string's error.
 */
async function commitWith(client: PoolClient, held: Held | undefined): Promise<void> {
	const { begin, rows, deferred } = held ?? {};
	if (!rows && !deferred) return committed(await client.query('commit'));
	const parts = [begin, rows && executeOf(rows), deferred?.text, 'commit'];
	let sent: unknown;
	// One result per statement: the rows' comes after the begin's.
	let answerAt = begin ? statementsIn(begin) : 0;
	try {
		sent = await client.query(parts.filter(Boolean).join('; '));
	} catch (error) {
		if (!deferred || isSerializationFailure(error)) throw error;
		const again = [`ROLLBACK TO SAVEPOINT ${deferred.savepoint}`, rows?.again, 'commit'];
		try {
			sent = await client.query(again.filter(Boolean).join('; '));
		} catch (failed) {
			// The commit itself failed (a savepoint is gone once the transaction is), or the rows
			// did (it was never made): not the step's.
			throw isSerializationFailure(failed) ? failed : error;
		}
		answerAt = 1;
		deferred.rescue(error);
	}
	committed(sent);
	rows?.answer(resultAt(sent, answerAt).rows);
}

/** The held rows' statement as an EXECUTE of its named statement, its values as literals. */
const executeOf = ({ name, values }: HeldRows) =>
	`execute ${name}(${values.map(literalOf).join(', ')})`;

/** The statements of one of this file's own texts (no `;` in a literal of them). */
const statementsIn = (text: string) => text.split(';').length;

function resultAt(sent: unknown, i: number): { rows: unknown[] } {
	return (Array.isArray(sent) ? sent[i] : sent) as { rows: unknown[] };
}

/**
 * Throws unless the COMMIT's answer (the last of a string's) says COMMIT: PostgreSQL answers a
 * COMMIT of a transaction a failed statement aborted with ROLLBACK, not an error, and the write
 * would be acknowledged with nothing of it kept (a step that caught its statement's failure
 * without rolling back to its savepoint).
 */
function committed(sent: unknown): void {
	const last = (Array.isArray(sent) ? sent.at(-1) : sent) as { command?: string } | undefined;
	if (last?.command !== 'COMMIT')
		throw new Error(
			`PostgreSQL rolled the write back at its COMMIT (${last?.command}): a statement of it had failed`
		);
}

/** A write that lost every attempt: the client may send it again (503, not a bug's 500). */
function databaseBusy(error: unknown): AppError {
	// Drizzle's error names the query; PostgreSQL's own (its cause) says which conflict it was.
	const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
	log.warn(
		`A write lost ${SERIALIZATION_ATTEMPTS} attempts to other writers: ${String(error)} (${cause})`
	);
	return new AppError(
		503,
		'database_busy',
		'The database is busy with other writes; nothing was saved. Try again in a moment.'
	);
}

/**
 * Takes the season table for the rest of the write (PostgreSQL; the first statement of the
 * write). A `select … for update` of the seasons did not help: its statement takes the snapshot
 * before it waits, and the sale it waited for had bumped the version by then. LOCK TABLE takes
 * no snapshot: it waits for the writes that bumped a version to commit, the write's snapshot
 * comes after them, and the writes that come meanwhile wait at their version's bump
 * (WriteBatch.finishInWrite bumps it before it writes a standing or a day, so they hold nothing
 * this write waits for) and run again after its commit (their write's retry). Sales' inserts,
 * reads and the foreign keys' locks are not held up (ROW SHARE). Only after a loss: a writer
 * claiming every time starved the other nodes' sales instead.
 */
export async function claimSeasonsInWrite(tx: StoreDb, store: Store): Promise<void> {
	await tx.execute(sql`lock table ${store.tables.season} in share row exclusive mode`);
}

/**
 * Runs `work`'s reads in one snapshot: what several queries read together (a board and the
 * version it is sent with) is what the database held at one moment, whatever another node
 * commits meanwhile. Nothing is written (on PostgreSQL a write fails; on SQLite the callback
 * must not try). Same rules as `write` for the callback: await nothing but `tx`.
 * - SQLite: BEGIN (deferred: no write lock, a reader never waits for the writer in WAL) …
 *   COMMIT by hand, in a macrotask of its own, with the same tripwire as `write`.
 * - PostgreSQL: a pool client in BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY … COMMIT
 *   (one snapshot; a read-only transaction never fails on a serialization conflict).
 */
export async function read<T>(store: Store, work: (tx: StoreDb) => Promise<T>): Promise<T> {
	if (store.dialect === 'sqlite') return inSqliteTransaction(store.sqlite, 'BEGIN', work);
	return store.db.transaction((tx) => work(tx as unknown as StoreDb), {
		isolationLevel: 'repeatable read',
		accessMode: 'read only'
	}) as Promise<T>;
}

/**
 * 40001 serialization_failure, 40P01 deadlock_detected (Drizzle wraps the driver's error): what
 * `write` runs again, and what a step inside a write must throw on rather than swallow.
 */
export function isSerializationFailure(error: unknown): boolean {
	for (let e = error; e instanceof Error; e = e.cause) {
		const code = (e as { code?: unknown }).code;
		if (code === '40001' || code === '40P01') return true;
	}
	return false;
}

async function inSqliteTransaction<T>(
	db: Db,
	begin: 'BEGIN' | 'BEGIN IMMEDIATE',
	work: (tx: StoreDb) => Promise<T>
): Promise<T> {
	const client = db.$client;
	// A macrotask of its own: the microtasks already queued (another request's continuations,
	// which may query the same connection) run before BEGIN, not inside the transaction.
	await new Promise<void>((resolve) => setImmediate(resolve));
	if (client.inTransaction)
		throw new Error(
			'A write started while another was open on the connection: a write callback awaited I/O'
		);
	const state = { broken: false };
	// This write's view of the connection: once the write is broken, its statements fail instead
	// of running outside any transaction.
	const guarded = {
		[CONNECTION]: { client, state } satisfies Connection,
		prepare(source: string) {
			if (state.broken) throw new WriteAwaitedIoError();
			return cachedStatement(client, source);
		},
		transaction() {
			throw new Error('A write cannot open a transaction inside its own: pass its tx instead');
		}
	};
	const tx = drizzleSqlite(guarded as unknown as Database.Database) as unknown as StoreDb;
	client.exec(begin);
	// Runs only if the event loop turns while the transaction is open: the callback awaited I/O.
	// Rolled back at once, so that other requests' statements stop landing in it (those that ran
	// before this are lost with it: the rule is there to make this never happen).
	const tripwire = setImmediate(() => {
		state.broken = true;
		if (client.inTransaction) client.exec('ROLLBACK');
	});
	try {
		const result = await work(tx);
		if (state.broken) throw new WriteAwaitedIoError();
		client.exec('COMMIT');
		return result;
	} catch (error) {
		if (state.broken)
			throw error instanceof WriteAwaitedIoError
				? error
				: new WriteAwaitedIoError({ cause: error });
		if (client.inTransaction) client.exec('ROLLBACK');
		throw error;
	} finally {
		clearImmediate(tripwire);
	}
}
