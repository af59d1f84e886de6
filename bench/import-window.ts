// The CPU an import costs per row on SQLite, this checkout against another one, interleaved in
// one process (bench/lib/interleaved.ts), so that a loaded machine slows both alike: bench:import
// runs old and new in turn, minutes apart, and at a load of 15-20 their figures moved by ±20 %
// from one run to the next. Each run imports a file of its own (its sales' ids new) into one
// temporary database seeded as bench:import's (bench/lib/import-season.ts): read inline, windows
// of up to 500 sales sized by time, as the server imports. Run with
// `npx tsx bench/import-window.ts --against <checkout> [--rounds 9] [--rows 4000]`, the checkout
// a detached worktree of an earlier commit, its node_modules linked and `npm run -s i18n` run.
// With `--check` it compares instead what the two store: one file (new sales, some refused, then
// the same file again: replays) imported by each into a copy of one database, in windows of a
// fixed size at a fixed time, every table row for row.
import { loadavg } from 'node:os';
import { copyFileSync } from 'node:fs';
import { openDatabase, type Db } from '../src/lib/server/db';
import { tempDb } from '../tests/helpers/db';
import { IMPORT_HEADER, importLine, importRows, seedImportSeason } from './lib/import-season';
import { importSales } from '../src/lib/server/imports/sales';
import { guessMapping } from '../src/lib/imports/mapping';
import { option, textOption } from './lib/args';
import { timeInterleaved, type Variant } from './lib/interleaved';

const ROUNDS = option('rounds', 9);
const ROWS = option('rows', 4000);
const against = textOption('against');
if (!against) throw new Error('--against <checkout> names the code to compare with');
const before: typeof importSales = (await import(`${against}/src/lib/server/imports/sales`))
	.importSales;

const { db, path, cleanup } = tempDb();
const season = await seedImportSeason(db, 1000);
const rows = [...importRows(season, ROWS)];
const mapping = guessMapping(IMPORT_HEADER.split(';'));

if (process.argv.includes('--check')) {
	await check();
	cleanup();
	process.exit(0);
}
let files = 0;

/** The same rows under ids of their own: each run's sales are new. */
function nextFile(): string {
	const prefix = `r${++files}-`;
	return [
		IMPORT_HEADER,
		...rows.map((row) => importLine([prefix + row[0], ...row.slice(1)] as typeof row))
	].join('\n');
}

function variant(name: string, run: typeof importSales): Variant {
	return {
		name,
		ops: ROWS,
		run: async () => {
			const report = await run(db, nextFile(), {
				dryRun: false,
				actor: {},
				mapping,
				dateOrder: 'DMY',
				decimal: ',',
				parseThread: null
			});
			if (report.rejected > 0)
				throw new Error(
					`${name}: ${report.rejected} rows refused: ${JSON.stringify(report.errors[0] ?? report.problem)}`
				);
		}
	};
}

const load = () =>
	loadavg()
		.map((l) => l.toFixed(2))
		.join(' ');
console.log(`${ROWS} rows a run, ${ROUNDS - 1} rounds counted; load ${load()}`);
await timeInterleaved(
	[variant(`import of ${against}`, before), variant('import, this checkout', importSales)],
	ROUNDS
);
console.log(`load ${load()}`);
cleanup();

/** Each import's database after the same imports: every table, row for row, the same. */
async function check() {
	db.$client.pragma('wal_checkpoint(TRUNCATE)');
	const copies = [`${path}.before`, `${path}.after`];
	for (const copy of copies) copyFileSync(path, copy);
	const [old, now] = copies.map((copy) => openDatabase(copy));
	const [first] = rows;
	// Refused: a seller no one is, two lines of one sale at two times; then the file again.
	const lines = [
		IMPORT_HEADER,
		...rows.map(importLine),
		importLine(['c-1', 'nobody@example.com', ...first.slice(2)] as typeof first),
		importLine(['c-2', ...first.slice(1)] as typeof first),
		importLine(['c-2', first[1], first[2] + 60_000, ...first.slice(3)] as typeof first)
	];
	const text = lines.join('\n');
	const at = season.now;
	const reports: string[][] = [[], []];
	for (const [code, into] of [
		[before, old],
		[importSales, now]
	] as const)
		for (let pass = 0; pass < 2; pass++) {
			const report = await code(into, text, {
				dryRun: false,
				actor: {},
				mapping,
				dateOrder: 'DMY',
				decimal: ',',
				parseThread: null,
				windowMs: null,
				batchSize: 97,
				clock: () => at
			});
			reports[into === old ? 0 : 1].push(JSON.stringify(report));
			console.log(
				into === old ? 'before' : 'this checkout',
				`pass ${pass + 1}:`,
				JSON.stringify({ ...report.sales, points: report.points, rejected: report.rejected }),
				`results ${report.resultsTotal} (${report.results.length} kept), errors ${report.errorsTotal}`
			);
		}
	const tables = old.$client
		.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
		.pluck()
		.all() as string[];
	let differ = reports[0].join() === reports[1].join() ? 0 : 1;
	if (differ) console.log('the reports differ');
	let compared = 0;
	for (const table of tables) {
		// In a stable order whether or not the table has a rowid.
		const dump = (into: Db) =>
			(into.$client.prepare(`SELECT * FROM "${table}"`).raw().all() as unknown[][])
				.map((row) => JSON.stringify(row))
				.sort()
				.join('\n');
		const [a, b] = [dump(old), dump(now)];
		compared += old.$client.prepare(`SELECT count(*) FROM "${table}"`).pluck().get() as number;
		if (a !== b) {
			differ += 1;
			console.log(`${table} differs`);
		}
	}
	console.log(`reports and ${tables.length} tables, ${compared} rows each: ${differ} differ`);
	if (differ > 0) process.exitCode = 1;
	for (const into of [old, now]) into.$client.close();
}
