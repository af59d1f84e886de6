// The database: one SQLite file, one connection (better-sqlite3 is synchronous, so one writer),
// opened with the pragmas the app relies on and migrated on open.
//
// How SQL is written here (one rule, so that a reader always knows where to look):
// - Queries live in the capability folders of src/lib/server, never in routes (ESLint refuses
//   drizzle-orm and the schema in src/routes).
// - Write them with Drizzle's query builder. Use a `sql` fragment only for what the builder cannot
//   say (an expression, a window function), inside a builder query. The one exception is a
//   report's aggregate over many tables (the dashboard's per-day buckets): one `sql` template per
//   query, typed with `db.all<Row>()`, in that capability's queries file.
// - Where a benchmark shows a statement on a hot path (the per-sale path of an import), prepare it
//   once with Drizzle's `.prepare()` and `sql.placeholder()` (see prepared.ts) instead of building
//   it again per call.
// - Functions take `Queryable`: the database or a transaction on it, the same type for both.
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from './schema';
import { AppError } from '../shared/errors';
import { requestContext } from '../shared/log';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** The database or a transaction on it: what read helpers take. */
export type Queryable = BaseSQLiteDatabase<'sync', Database.RunResult, typeof schema>;

export const DEFAULT_DATABASE_URL = 'data/honorboard.db';

/**
 * Where the migrations are: `drizzle` (SQLite's; MIGRATIONS_DIR overrides) or `drizzle-pg`
 * (PostgreSQL's, which `migrate-to` applies).
 */
export function migrationsFolder(name: 'drizzle' | 'drizzle-pg' = 'drizzle'): string {
	if (name === 'drizzle' && process.env.MIGRATIONS_DIR) return resolve(process.env.MIGRATIONS_DIR);
	const candidates = [resolve(name)];
	// Note: bundles live one or more levels below the project root (build/, build/server/chunks/).
	let dir = dirname(fileURLToPath(import.meta.url));
	for (let i = 0; i < 5; i++) {
		candidates.push(resolve(dir, name));
		dir = dirname(dir);
	}
	const found = candidates.find((candidate) =>
		existsSync(resolve(candidate, 'meta/_journal.json'))
	);
	if (!found)
		throw new Error(
			`Cannot find the ${name}/ migrations folder${name === 'drizzle' ? '; set MIGRATIONS_DIR' : ''}`
		);
	return found;
}

/**
 * Whether the database already has every migration of the folder, by drizzle's own rule (it
 * applies the migrations dated after the newest one recorded): one small JSON file and one row,
 * where migrate() reads and hashes every SQL file and opens a transaction on each start.
 */
function upToDate(client: Database.Database, folder: string): boolean {
	try {
		const journal = JSON.parse(readFileSync(resolve(folder, 'meta/_journal.json'), 'utf8')) as {
			entries: { when: number }[];
		};
		const newest = Math.max(...journal.entries.map((e) => e.when));
		const applied = client
			.prepare('select max(created_at) from "__drizzle_migrations"')
			.pluck()
			.get() as number | null;
		return applied !== null && Number(applied) >= newest;
	} catch {
		return false; // no migrations table yet, or an unreadable journal: let migrate() decide
	}
}

/**
 * How long one statement waits for another process's write lock (a backup, the CLI) before
 * SQLITE_BUSY. better-sqlite3 waits synchronously, on the event loop, so the server keeps it
 * short (server.ts sets DB_BUSY_TIMEOUT_MS) and retries with retryWhenBusy (which yields
 * between attempts) instead; scripts and tests, which have no other requests to serve, keep a
 * long wait.
 */
const SCRIPT_BUSY_TIMEOUT_MS = 5000;

/**
 * The file holds webhook secrets and token hashes: readable by its owner only. A folder the app
 * creates for it is 0700, a new file is created 0600 (SQLite gives its -wal and -shm files the
 * database file's mode), and an older file, or its -wal/-shm, made 0644 is tightened on open.
 * A folder that already existed is left as it is (it may be shared, like /tmp).
 */
function createOwnerOnly(path: string): void {
	const created = mkdirSync(dirname(resolve(path)), { recursive: true, mode: 0o700 });
	if (created) chmodSync(dirname(resolve(path)), 0o700);
	if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
}
function ownerOnly(path: string): void {
	for (const file of [path, `${path}-wal`, `${path}-shm`]) {
		try {
			if (existsSync(file)) chmodSync(file, 0o600);
		} catch (error) {
			// Another user's file that this one may write (a shared group): leave its mode be.
			if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
		}
	}
}

const PAGE_CACHE_KIB = 64 * 1024;

/** The file a DATABASE_URL names (`file:` prefix or a plain path), or null for an in-memory database. */
export function databaseFile(url: string): string | null {
	const path = url.replace(/^file:/, '');
	return path === '' || path === ':memory:' ? null : path;
}

/** Whether a DATABASE_URL names PostgreSQL (`postgres://…`, `postgresql://…`) rather than a SQLite file. */
export function isPostgresUrl(url: string): boolean {
	return /^postgres(ql)?:/i.test(url);
}

/**
 * The folder the database of a DATABASE_URL sits in, where the app keeps files beside it (the
 * mail outbox); null on PostgreSQL, whose database has no folder here.
 */
export function databaseFolder(url: string): string | null {
	return isPostgresUrl(url) ? null : dirname(resolve(url));
}

/** The app's DATABASE_URL (a SQLite file by default). */
export function databaseUrl(): string {
	return process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
}

/**
 * What a capability that still needs SQLite's connection answers when the app runs on
 * PostgreSQL (docs/postgres.md, "Running on PostgreSQL"): 503, never a SQLite file opened
 * beside the pool. `capability` defaults to the route the request is answered by.
 */
export function notOnPostgres(capability?: string): AppError {
	const route = requestContext()?.route?.replace(/\/\([^)]*\)/g, '') || undefined;
	const what = capability ?? (route ? `${route}` : 'This operation');
	return new AppError(
		503,
		'not_on_postgres',
		`${what} does not run on PostgreSQL yet: it still needs the SQLite database ` +
			'(docs/postgres.md, "Running on PostgreSQL")',
		{ details: { capability: what } }
	);
}

/** Opens a SQLite file with the pragmas the app relies on and brings its schema up to date. */
export function openDatabase(url: string, options: { busyTimeoutMs?: number } = {}): Db {
	// Not a file to create: a PostgreSQL URL is the store's (db/store.ts openStore).
	if (isPostgresUrl(url))
		throw new Error(
			'DATABASE_URL names PostgreSQL: open it with openStore (db/store.ts), not as a SQLite file'
		);
	const path = url.replace(/^file:/, '');
	const onDisk = databaseFile(url) !== null;
	if (onDisk) createOwnerOnly(path);
	const client = new Database(path);
	client.pragma('journal_mode = WAL');
	if (onDisk) ownerOnly(path);
	client.pragma('foreign_keys = ON');
	client.pragma(`busy_timeout = ${SCRIPT_BUSY_TIMEOUT_MS}`);
	client.pragma('synchronous = NORMAL');
	// SQLite's default page cache is 2 MB: in a season of 200,000 sales (an 80 MB file) every
	// scan and every index an insert touches was read again from the OS, page by page (half of a
	// sprint's period sum went to those reads). Up to 64 MiB, taken as pages are used.
	client.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
	// A statement or savepoint keeps the pages it changes in a statement journal, which SQLite
	// moves to a temp file past 64 KiB: group commit (one savepoint per sale) and an import's
	// window (docs/benchmarks.md, "Set-based import windows") opened, wrote and deleted one each
	// time: ~45 of a new sale's ~65 pwrite calls (strace, bench:ingest), a third of an import's
	// CPU. Temp files in memory instead; temporary tables and sorts are small here.
	// Note: the WAL's automatic checkpoint stays at SQLite's 1,000 pages here; the server moves
	// it to a thread of its own (checkpointer.ts).
	client.pragma('temp_store = MEMORY');
	const db = drizzle(client, { schema }) as Db;
	const folder = migrationsFolder();
	if (!upToDate(client, folder)) migrate(db, { migrationsFolder: folder });
	// Migrating may wait for a lock as long as it needs; requests afterwards may not.
	const busyTimeout = options.busyTimeoutMs ?? SCRIPT_BUSY_TIMEOUT_MS;
	client.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeout))}`);
	return db;
}

// The app is bundled more than once (SvelteKit's server, server.ts, the dev plugin): the one
// connection lives on globalThis so that every copy shares it and its single writer.
const KEY = Symbol.for('honorboard.db');
type Holder = { [KEY]?: Db };

/**
 * The app's SQLite connection, opened (and migrated) on first use. On PostgreSQL
 * (DATABASE_URL=postgres://…) the code not ported to the store yet lands here: it is refused
 * with `notOnPostgres` (503) instead of writing to a second, SQLite database beside the pool.
 */
export function getDb(): Db {
	const holder = globalThis as Holder;
	const open = holder[KEY];
	if (open) return open;
	const url = databaseUrl();
	if (isPostgresUrl(url)) throw notOnPostgres();
	return (holder[KEY] = openDatabase(url, {
		busyTimeoutMs: Number(process.env.DB_BUSY_TIMEOUT_MS) || SCRIPT_BUSY_TIMEOUT_MS
	}));
}

export function closeDb(): void {
	const holder = globalThis as Holder;
	holder[KEY]?.$client.close();
	delete holder[KEY];
}

export { schema };
export {
	BUSY_RETRY_AFTER_SECONDS,
	DatabaseBusyError,
	isBusy,
	isDatabaseBusy,
	retryWhenBusy
} from './busy';
