import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/lib/server/db';

/** A fresh SQLite file in a temp folder, brought up to date by the real migrations. */
export function tempDb(): { db: Db; path: string; dir: string; cleanup: () => void } {
	const dir = mkdtempSync(join(tmpdir(), 'honorboard-test-'));
	const path = join(dir, 'test.db');
	const db = openDatabase(path);
	return {
		db,
		path,
		dir,
		cleanup: () => {
			db.$client.close();
			rmSync(dir, { recursive: true, force: true });
		}
	};
}
