// `npm run cli -- migrate-to --to postgres://…` (#20): copies a Honorboard SQLite file into an
// empty PostgreSQL database and checks the copy. The source is only read, inside one read
// transaction (one snapshot, even while a server writes to it); the target gets the drizzle-pg/
// migrations, then the rows in one transaction that is committed only when the verification
// finds nothing different: a failure, or a mismatch, leaves the target without a row.
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import { AppError } from '../../shared/errors';
import { withoutPassword } from '../../shared/url';
import { migrationsFolder } from '..';
import { copyTables } from './copy';
import { copyPlan } from './plan';
import { verifyCopy, type VerifyReport } from './verify';

export { verifyCopy, type VerifyReport } from './verify';
export { copyPlan } from './plan';

export interface MigrateToResult {
	copied: Map<string, number>;
	report: VerifyReport;
	seconds: number;
}

const refused = (message: string) => new AppError(409, 'conflict', message);

/** The newest migration a folder holds (drizzle's journal), as drizzle records it. */
function newestMigration(folder: string): number {
	const journal = JSON.parse(readFileSync(resolve(folder, 'meta/_journal.json'), 'utf8')) as {
		entries: { when: number }[];
	};
	return Math.max(...journal.entries.map((e) => e.when));
}

/** The SQLite file, read-only, once it is a Honorboard database migrated by this version. */
export function openSource(path: string): Database.Database {
	if (!existsSync(path))
		throw new AppError(404, 'not_found', `There is no database at ${resolve(path)} to copy`);
	const source = new Database(path, { readonly: true, fileMustExist: true });
	try {
		let applied: number | null;
		try {
			applied = source
				.prepare('SELECT max(created_at) FROM "__drizzle_migrations"')
				.pluck()
				.get() as number | null;
		} catch (error) {
			throw new AppError(
				400,
				'invalid',
				`${resolve(path)} is not a Honorboard database (${(error as Error).message})`
			);
		}
		const newest = newestMigration(migrationsFolder());
		if (applied === null || Number(applied) < newest)
			throw new AppError(
				400,
				'invalid',
				`${resolve(path)} is not migrated to this version of Honorboard: run \`npm run cli -- migrate\` on it first`
			);
		if (Number(applied) > newest)
			throw new AppError(
				400,
				'invalid',
				`${resolve(path)} was migrated by a newer Honorboard than this one: copy it with that version`
			);
		return source;
	} catch (error) {
		source.close();
		throw error;
	}
}

/** Refuses a target where any Honorboard table holds a row. */
async function assertEmpty(target: pg.ClientBase, tables: string[]) {
	const { rows } = await target.query<{ table_name: string }>(
		`SELECT table_name FROM information_schema.tables
		 WHERE table_schema = current_schema() AND table_name = ANY($1) ORDER BY 1`,
		[tables]
	);
	const filled: string[] = [];
	for (const { table_name } of rows) {
		const found = await target.query(`SELECT 1 FROM "${table_name}" LIMIT 1`);
		if (found.rowCount) filled.push(table_name);
	}
	if (filled.length > 0)
		throw refused(
			`The target already holds Honorboard data (rows in ${filled.slice(0, 5).join(', ')}` +
				`${filled.length > 5 ? ` and ${filled.length - 5} more tables` : ''}): ` +
				'migrate-to copies into an empty database only. Nothing was changed.'
		);
}

/**
 * Copies the SQLite file at `sourcePath` into the PostgreSQL database at `targetUrl` and
 * verifies the copy before committing it. Throws AppError for a refused source or target,
 * CopyError (table, row, key) for a row the target refused; on a mismatch it returns the
 * report with ok false and the target rolled back.
 */
export async function migrateTo(
	sourcePath: string,
	targetUrl: string,
	options: { batchRows?: number; onTable?: (table: string, rows: number) => void } = {}
): Promise<MigrateToResult> {
	const started = performance.now();
	const plans = copyPlan();
	const tables = plans.map((p) => p.name);
	const source = openSource(sourcePath);
	const target = new pg.Client({ connectionString: targetUrl });
	// The migrations' notices ("schema drizzle already exists, skipping") are not the report.
	target.on('notice', () => {});
	try {
		try {
			await target.connect();
		} catch (error) {
			throw new AppError(
				503,
				'unavailable',
				`Cannot connect to ${withoutPassword(targetUrl, 'the --to URL')}: ${(error as Error).message}`
			);
		}
		await assertEmpty(target, tables);
		await migrate(drizzle(target), { migrationsFolder: migrationsFolder('drizzle-pg') });
		source.exec('BEGIN');
		await target.query('BEGIN');
		try {
			// Checked again inside the transaction: nothing slipped in since the first look.
			await assertEmpty(target, tables);
			const copied = await copyTables(source, target, plans, options);
			const report = await verifyCopy(source, target, tables);
			await target.query(report.ok ? 'COMMIT' : 'ROLLBACK');
			// The planner's statistics of the copy: without them, until autovacuum gets there, the
			// dashboard of a 50,000-sale season took 7–10 s a read instead of 0.2 s.
			if (report.ok) await target.query('ANALYZE');
			return { copied, report, seconds: (performance.now() - started) / 1000 };
		} catch (error) {
			await target.query('ROLLBACK').catch(() => {});
			throw error;
		} finally {
			source.exec('COMMIT');
		}
	} finally {
		source.close();
		await target.end().catch(() => {});
	}
}
