// The CPU an import costs per row on SQLite, this checkout against another one, interleaved in
// one process (bench/lib/interleaved.ts), so that a loaded machine slows both alike: bench:import
// runs old and new in turn, minutes apart, and at a load of 15-20 their figures moved by ±20 %
// from one run to the next. Each run imports a file of its own (its sales' ids new) into one
// temporary database seeded as bench:import's (bench/lib/import-season.ts): read inline, windows
// of up to 500 sales sized by time, as the server imports. Run with
// `npx tsx bench/import-window.ts --against <checkout> [--rounds 9] [--rows 4000]`, the checkout
// a detached worktree of an earlier commit, its node_modules linked and `npm run -s i18n` run.
import { loadavg } from 'node:os';
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

const { db, cleanup } = tempDb();
const season = await seedImportSeason(db, 1000);
const rows = [...importRows(season, ROWS)];
const mapping = guessMapping(IMPORT_HEADER.split(';'));
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
