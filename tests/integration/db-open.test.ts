// Opening the database: a file that has every migration is not migrated again on each start
// (cold start), and one that lacks the newest migration still is.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const calls = vi.hoisted(() => ({ migrate: 0 }));
vi.mock('drizzle-orm/better-sqlite3/migrator', async (original) => {
	const actual = await original<typeof import('drizzle-orm/better-sqlite3/migrator')>();
	return {
		...actual,
		migrate: (...args: Parameters<typeof actual.migrate>) => {
			calls.migrate++;
			return actual.migrate(...args);
		}
	};
});
const { closeDb, getDb, openDatabase } = await import('../../src/lib/server/db');
const { AppError } = await import('../../src/lib/server/shared/errors');

let dir: string | undefined;
afterEach(() => {
	if (dir) rmSync(dir, { recursive: true, force: true });
	dir = undefined;
});

describe('openDatabase', () => {
	it('migrates a new file, skips an up-to-date one, and migrates one that is behind', () => {
		dir = mkdtempSync(join(tmpdir(), 'honorboard-open-'));
		const path = join(dir, 'test.db');
		openDatabase(path).$client.close();
		expect(calls.migrate).toBe(1);

		openDatabase(path).$client.close();
		expect(calls.migrate).toBe(1);

		// A release with one more migration: the next open applies it.
		const folder = join(dir, 'drizzle');
		cpSync('drizzle', folder, { recursive: true });
		const journalPath = join(folder, 'meta/_journal.json');
		const journal = JSON.parse(readFileSync(journalPath, 'utf8'));
		const last = journal.entries.at(-1);
		journal.entries.push({
			...last,
			idx: last.idx + 1,
			when: last.when + 1,
			tag: '9999_open_test'
		});
		writeFileSync(journalPath, JSON.stringify(journal));
		writeFileSync(join(folder, '9999_open_test.sql'), 'CREATE TABLE `open_test` (`id` integer);');
		vi.stubEnv('MIGRATIONS_DIR', folder);
		const reopened = openDatabase(path);
		vi.unstubAllEnvs();
		expect(calls.migrate).toBe(2);
		const table = reopened.$client
			.prepare(`select name from sqlite_master where type = 'table' and name = 'open_test'`)
			.pluck()
			.get();
		expect(table).toBe('open_test');
		reopened.$client.close();
	});

	// A sale's savepoint spilled its statement journal to a temp file once per API group
	// (docs/benchmarks.md, "hb-rep2"); a longer WAL between checkpoints blocked the loop longer.
	it('keeps temp files in memory and checkpoints the WAL every 1,000 pages', () => {
		dir = mkdtempSync(join(tmpdir(), 'honorboard-open-'));
		const db = openDatabase(join(dir, 'test.db'));
		expect(db.$client.pragma('temp_store', { simple: true })).toBe(2);
		expect(db.$client.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
		expect(db.$client.pragma('journal_mode', { simple: true })).toBe('wal');
		expect(db.$client.pragma('synchronous', { simple: true })).toBe(1);
		db.$client.close();
	});

	it('refuses a PostgreSQL URL instead of making a file of it (the store opens those)', () => {
		for (const url of ['postgres://app@db/honorboard', 'postgresql://app@db/honorboard'])
			expect(() => openDatabase(url)).toThrow(/openStore/);
	});

	// #20: on PostgreSQL the code not ported yet must answer 503, never write a SQLite file.
	it('getDb refuses with not_on_postgres (503) when DATABASE_URL names PostgreSQL', () => {
		dir = mkdtempSync(join(tmpdir(), 'honorboard-open-'));
		const before = process.env.DATABASE_URL;
		const cwd = process.cwd();
		process.env.DATABASE_URL = 'postgres://app@127.0.0.1:1/honorboard';
		process.chdir(dir);
		closeDb();
		try {
			let thrown: unknown;
			try {
				getDb();
			} catch (error) {
				thrown = error;
			}
			expect(thrown).toBeInstanceOf(AppError);
			expect(thrown).toMatchObject({ status: 503, code: 'not_on_postgres' });
			expect((thrown as Error).message).toMatch(/does not run on PostgreSQL yet/);
			expect(readdirSync(dir)).toEqual([]);
		} finally {
			process.chdir(cwd);
			if (before === undefined) delete process.env.DATABASE_URL;
			else process.env.DATABASE_URL = before;
		}
	});
});
