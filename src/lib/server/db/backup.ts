// Online backup of the database file (`npm run cli -- backup --to FILE`): SQLite's backup API
// through better-sqlite3, so that a copy taken while the server writes is one consistent
// snapshot (WAL content included), unlike copying the file.
import Database from 'better-sqlite3';
import { chmodSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { AppError } from '../shared/errors';
import { isPostgresUrl } from './index';

export interface BackupResult {
	path: string;
	bytes: number;
}

/**
 * Copies the database at `from` into `to` while it stays in use. Refuses an existing `to`
 * unless `force`; the copy is written beside `to` under a temporary name and renamed into place
 * once complete and checked, so that an interrupted backup never leaves a half file (nor, with
 * `force`, destroys the previous one). The copy is one self-contained file (no -wal), readable
 * by its owner only, like the database.
 */
export async function backupDatabase(
	from: string,
	to: string,
	options: { force?: boolean } = {}
): Promise<BackupResult> {
	// A copy of the SQLite file: PostgreSQL's own tools back a PostgreSQL database up.
	if (isPostgresUrl(from))
		throw new AppError(
			400,
			'not_on_postgres',
			'backup copies a SQLite file; DATABASE_URL names PostgreSQL: back it up with pg_dump ' +
				'(e.g. pg_dump --format=custom --file=honorboard.dump "$DATABASE_URL")'
		);
	const source = resolve(from.replace(/^file:/, ''));
	const target = resolve(to);
	if (!existsSync(source))
		throw new AppError(404, 'not_found', `There is no database at ${source}`);
	if (target === source || target.startsWith(`${source}-`))
		throw new AppError(400, 'invalid', 'The backup cannot be written over the database itself');
	if (!existsSync(dirname(target)))
		throw new AppError(400, 'invalid', `The folder ${dirname(target)} does not exist`);
	if (existsSync(target) && !options.force)
		throw new AppError(409, 'conflict', `${target} exists already; add --force to overwrite it`);

	const partial = `${target}.partial-${randomUUID().slice(0, 8)}`;
	const db = new Database(source, { fileMustExist: true });
	try {
		// The server may hold the write lock for a moment; the backup API retries busy steps.
		db.pragma('busy_timeout = 5000');
		await db.backup(partial);
	} catch (error) {
		rmSync(partial, { force: true });
		throw error;
	} finally {
		db.close();
	}
	try {
		chmodSync(partial, 0o600);
		const copy = new Database(partial);
		try {
			// One file to keep: the snapshot leaves WAL mode (a restore switches back on open).
			copy.pragma('journal_mode = DELETE');
			const check = copy.pragma('quick_check', { simple: true });
			if (check !== 'ok') throw new Error(`The backup failed its check: ${String(check)}`);
		} finally {
			copy.close();
		}
		renameSync(partial, target);
	} catch (error) {
		rmSync(partial, { force: true });
		throw error;
	}
	return { path: target, bytes: statSync(target).size };
}
