// `npm run cli -- migrate-to --to postgres://…`: the copy of the SQLite database (DATABASE_URL)
// into an empty PostgreSQL database, and its report. docs/postgres.md, "Moving to PostgreSQL".
import { databaseFile, DEFAULT_DATABASE_URL } from '../src/lib/server/db';
import { migrateTo } from '../src/lib/server/db/migrate-to';
import { withoutPassword } from '../src/lib/server/shared/url';
import { AppError } from '../src/lib/server/shared/errors';

export const MIGRATE_TO_USAGE = `  migrate-to --to postgres://U:P@HOST/DB     copies the database into an empty PostgreSQL database
                                             (its schema is created), then compares row counts,
                                             standings and ledger totals; exits 1 on a difference,
                                             and the target keeps nothing of a failed or unequal copy`;

const invalid = (message: string) => new AppError(400, 'invalid', message);
const number = (n: number) => n.toLocaleString('en-US');

/** Runs the command; the exit code is 1 when the verification finds a difference. */
export async function migrateToCommand(values: Record<string, unknown>): Promise<void> {
	const to = typeof values.to === 'string' ? values.to.trim() : '';
	if (!/^postgres(ql)?:\/\//i.test(to))
		throw invalid('--to must be a PostgreSQL URL: postgres://user:password@host:5432/database');
	const from = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
	if (/^postgres(ql)?:/i.test(from))
		throw invalid('DATABASE_URL must name the SQLite file to copy from, not PostgreSQL');
	const path = databaseFile(from);
	if (path === null) throw invalid('DATABASE_URL must name a SQLite file, not :memory:');

	console.log(`Copying ${path} into ${withoutPassword(to, 'the --to URL')} …`);
	const { copied, report, seconds } = await migrateTo(path, to);
	const total = [...copied.values()].reduce((a, b) => a + b, 0);
	console.log(`Copied ${number(total)} rows of ${copied.size} tables in ${seconds.toFixed(1)} s.`);
	console.log('\nRows per table (source = target):');
	const width = Math.max(...report.tables.map((t) => t.table.length));
	for (const t of [...report.tables].sort((a, b) => (a.table < b.table ? -1 : 1)))
		console.log(
			`  ${t.table.padEnd(width)}  ${number(t.source).padStart(9)}${t.source === t.target ? '' : `  ≠ ${number(t.target)}`}`
		);
	console.log('\nSeasons (standings and ledger totals, source = target):');
	if (report.seasons.length === 0) console.log('  none');
	for (const s of report.seasons) {
		const ledger =
			Object.entries(s.ledger)
				.map(([status, t]) => `${status} ${number(t.points)} (${number(t.entries)} entries)`)
				.join(', ') || 'no ledger entries';
		console.log(
			`  ${s.same ? 'ok      ' : 'DIFFERS '} ${s.id} ${s.name}: ${number(s.ranked)} ranked; ${ledger}`
		);
	}
	if (report.ok) {
		console.log('\nVerified: the PostgreSQL copy matches the source. Committed.');
		return;
	}
	console.log('\nThe copy does NOT match the source; nothing was kept in the target:');
	for (const mismatch of report.mismatches) console.log(`  - ${mismatch}`);
	process.exitCode = 1;
}
