// The database holds webhook secrets and token hashes (issue #16): its folder, file and WAL/SHM
// files are created readable by the owner only, and an older 0644 file is tightened on open.
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/lib/server/db';
import { startServer, type RunningServer } from '../helpers/server';

const mode = (path: string) => statSync(path).mode & 0o777;

let dir: string;
let server: RunningServer | undefined;
afterEach(async () => {
	await server?.stop();
	server = undefined;
	rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(process.platform === 'win32')('database file modes', () => {
	it('a new database: folder 0700, file, -wal and -shm 0600', () => {
		dir = mkdtempSync(join(tmpdir(), 'honorboard-modes-'));
		const path = join(dir, 'data', 'honorboard.db');
		const db = openDatabase(path);
		try {
			expect(existsSync(`${path}-wal`)).toBe(true);
			expect(existsSync(`${path}-shm`)).toBe(true);
			expect(mode(join(dir, 'data')).toString(8)).toBe('700');
			for (const file of [path, `${path}-wal`, `${path}-shm`])
				expect(mode(file).toString(8), file).toBe('600');
		} finally {
			db.$client.close();
		}
	});

	it('an older database made 0644 is tightened when the app opens it', () => {
		dir = mkdtempSync(join(tmpdir(), 'honorboard-modes-'));
		const path = join(dir, 'old.db');
		const old = new Database(path);
		old.pragma('journal_mode = WAL');
		old.exec('create table t (x)');
		for (const file of [path, `${path}-wal`, `${path}-shm`]) chmodSync(file, 0o644);
		const db = openDatabase(path);
		try {
			for (const file of [path, `${path}-wal`, `${path}-shm`])
				expect(mode(file).toString(8), file).toBe('600');
		} finally {
			db.$client.close();
			old.close();
		}
	});

	it('the production server creates its data folder and database owner-only', async () => {
		dir = mkdtempSync(join(tmpdir(), 'honorboard-modes-'));
		const path = join(dir, 'data', 'honorboard.db');
		server = await startServer({ dbPath: path });
		expect(mode(join(dir, 'data')).toString(8)).toBe('700');
		for (const file of [path, `${path}-wal`, `${path}-shm`])
			expect(mode(file).toString(8), file).toBe('600');
	});
});
