// The built server's tests on either dialect (#20: "the integration suite against PostgreSQL as
// well as SQLite"): seedServerDb's world, on its SQLite file or copied into a throwaway PostgreSQL
// database by the migrate-to copy (what an operator moving to PostgreSQL runs), and the reads a
// test makes of what the server wrote, in SQL both dialects read alike.
import { rmSync } from 'node:fs';
import pg from 'pg';
import { migrateTo } from '../../src/lib/server/db/migrate-to';
import { STANDINGS_FROM_LEDGER_SQL, STANDINGS_SQL } from './factories';
import { startPostgres, type TestPostgres } from './postgres';
import type { Dialect } from './store-nodes';
import { closeStore, openStore, type Store } from '../../src/lib/server/db/store';
import {
	newSession,
	readDb,
	SCORE_STATE_SQL,
	seedServerDb,
	withStore,
	type SeededDb
} from './seeded';

export const DIALECTS: Dialect[] = ['sqlite', 'postgres'];

export interface ServerDb {
	dialect: Dialect;
	seeded: SeededDb;
	/** What the server and the CLI take as DATABASE_URL: the SQLite file, or the PostgreSQL URL. */
	url: string;
	/** The rows of one query; `?` placeholders on both dialects, counts and sums as numbers. */
	rows(sql: string, ...params: unknown[]): Promise<Record<string, unknown>[]>;
	/** The first column of the first row (a count, a sum), as a number when it reads as one. */
	value(sql: string, ...params: unknown[]): Promise<unknown>;
	/**
	 * Runs `fn` with a store on the database (db/store.ts), closed once `fn` settles: a service's
	 * step a test takes beside the server (a scheduler's tick), or a view's read.
	 */
	withStore<T>(fn: (store: Store) => Promise<T>): Promise<T>;
	/** Stops PostgreSQL (if any) and removes the SQLite file's folder; after the server stopped. */
	cleanup(): Promise<void>;
}

/** PostgreSQL's `$1, $2…` for SQLite's `?`. */
function numbered(sql: string): string {
	let n = 0;
	return sql.replace(/\?/g, () => `$${++n}`);
}

/** PostgreSQL sends bigints and numerics as strings: counts and sums become numbers again. */
function numeric(value: unknown): unknown {
	return typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
}

/**
 * seedServerDb's world on `dialect`, with what `prepare` adds to the file (tokens, sessions: the
 * one-line helpers of seeded.ts write to the file); on PostgreSQL the file is then copied and no
 * longer used.
 */
export async function seedServerDbOn(
	dialect: Dialect,
	options: Parameters<typeof seedServerDb>[0] = {},
	prepare: (seeded: SeededDb) => unknown = () => {}
): Promise<ServerDb> {
	const seeded = await seedServerDb(options);
	await prepare(seeded);
	if (dialect === 'sqlite')
		return {
			dialect,
			seeded,
			url: seeded.path,
			rows: async (sql, ...params) =>
				readDb(seeded.path, (db) => db.prepare(sql).all(...params) as Record<string, unknown>[]),
			value: async (sql, ...params) =>
				readDb(seeded.path, (db) =>
					db
						.prepare(sql)
						.pluck()
						.get(...params)
				),
			withStore: (fn) => withStore(seeded.path, fn),
			cleanup: async () => seeded.cleanup()
		};
	let postgres: TestPostgres | undefined;
	let pool: pg.Pool | undefined;
	try {
		postgres = await startPostgres();
		const { report } = await migrateTo(seeded.path, postgres.url);
		if (!report.ok) throw new Error(`migrate-to differs: ${report.mismatches.join('; ')}`);
		// Gone, so that a server or CLI that opened SQLite instead would find no season at all.
		for (const suffix of ['', '-wal', '-shm']) rmSync(seeded.path + suffix, { force: true });
		pool = new pg.Pool({ connectionString: postgres.url, max: 2 });
		// A cluster stopped under an idle client: the next query fails, not the test file.
		pool.on('error', () => {});
	} catch (error) {
		await postgres?.stop();
		seeded.cleanup();
		throw error;
	}
	const reader = pool;
	const rows = async (sql: string, ...params: unknown[]) =>
		(await reader.query(numbered(sql), params)).rows.map((row) =>
			Object.fromEntries(Object.entries(row).map(([k, v]) => [k, numeric(v)]))
		);
	return {
		dialect,
		seeded,
		url: postgres.url,
		rows,
		value: async (sql, ...params) => {
			const [first] = await rows(sql, ...params);
			return first === undefined ? undefined : Object.values(first)[0];
		},
		withStore: async (fn) => {
			const store = await openStore(postgres!.url);
			try {
				return await fn(store);
			} finally {
				await closeStore(store);
			}
		},
		cleanup: async () => {
			await reader.end();
			await postgres!.stop();
			seeded.cleanup();
		}
	};
}

/** The server's env for the database: on PostgreSQL DATABASE_URL overrides the file. */
export function serverEnvFor(db: ServerDb): Record<string, string> {
	return db.dialect === 'postgres' ? { DATABASE_URL: db.url } : {};
}

/** seeded.ts's scoreState on either dialect: what a sale could have changed. */
export async function scoreStateOn(
	db: ServerDb
): Promise<Record<keyof typeof SCORE_STATE_SQL, number>> {
	const entries = await Promise.all(
		Object.entries(SCORE_STATE_SQL).map(async ([name, sql]) => [name, Number(await db.value(sql))])
	);
	return Object.fromEntries(entries);
}

/** seeded.ts's sessionTokenFor on either dialect: a session for any user; returns its token. */
export async function sessionTokenOn(db: ServerDb, userId: number): Promise<string> {
	const { token, row } = newSession(userId);
	await db.withStore(async (store) => {
		await store.db.insert(store.tables.session).values(row);
	});
	return token;
}

/** factories.ts's standingsVsLedger on either dialect: the standings and the ledger's sums. */
export async function standingsVsLedgerOn(db: ServerDb, seasonId: number) {
	return {
		stored: await db.rows(STANDINGS_SQL, seasonId),
		fromLedger: await db.rows(STANDINGS_FROM_LEDGER_SQL, seasonId, seasonId)
	};
}
