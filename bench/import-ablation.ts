// What each index and trigger of the tables an import writes costs it, on SQLite: one database
// seeded as bench:import's (bench/lib/import-season.ts) and copied for each run; a run drops one
// index or trigger in its copy (or nothing: the untouched copy) and imports the same file into it
// through the store's import (rows read inline, windows sized by time, as import-window.ts), in
// one process, each drop in turn with an untouched run, round after round. Prints each one's
// median µs of CPU a row and rows/s, and the untouched runs' beside it, with the load. A drop
// that makes the import fail (a statement naming the index) prints the error instead. With
// `--change FILE` the file's SQL (a trigger written another way) is the one change instead.
// `npx tsx bench/import-ablation.ts [--rows 100000] [--rounds 2] [--only name,name] [--change FILE]`
import { loadavg } from 'node:os';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import { openDatabase } from '../src/lib/server/db';
import { tempDb } from '../tests/helpers/db';
import { IMPORT_HEADER, importLine, importRows, seedImportSeason } from './lib/import-season';
import { importSales } from '../src/lib/server/imports/sales';
import { guessMapping } from '../src/lib/imports/mapping';
import { option, textOption } from './lib/args';

const ROWS = option('rows', 100_000);
const ROUNDS = option('rounds', 2);
const only = textOption('only')?.split(',');
const change = textOption('change');

/** The tables an import writes a row of per sale or line (the rollups, days and standings by key). */
const TABLES = ['sale', 'sale_line', 'ledger_entry', 'dashboard_line'];
/** The triggers that run per row of an import. */
const TRIGGERS = [
	'dashboard_sale_insert',
	'dashboard_line_insert',
	'dashboard_ledger_insert',
	'badge_record_sale_insert'
];

const { db, path, cleanup } = tempDb();
const season = await seedImportSeason(db, 1000);
const text = [IMPORT_HEADER, ...[...importRows(season, ROWS)].map(importLine)].join('\n');
const mapping = guessMapping(IMPORT_HEADER.split(';'));
// Unique indexes keep meanings (a replay is found by its key): not dropped.
const indexes = db.$client
	.prepare(
		`SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
		AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN (${TABLES.map(() => '?').join(',')})
		ORDER BY tbl_name, name`
	)
	.pluck()
	.all(...TABLES) as string[];
db.$client.pragma('wal_checkpoint(TRUNCATE)');

interface Drop {
	name: string;
	sql: string | null;
}
const drops: Drop[] = change
	? [{ name: basename(change), sql: readFileSync(change, 'utf8') }]
	: [
			...indexes.map((name) => ({ name, sql: `DROP INDEX "${name}"` })),
			...TRIGGERS.map((name) => ({ name, sql: `DROP TRIGGER "${name}"` }))
		].filter((drop) => !only || only.includes(drop.name));

interface Run {
	cpuMicros: number;
	rowsPerSecond: number;
}

/** One import into a fresh copy of the seeded database, with `sql` run on it first. */
async function run(sql: string | null): Promise<Run> {
	const copy = `${path}.run`;
	copyFileSync(path, copy);
	const into = openDatabase(copy);
	try {
		if (sql) into.$client.exec(sql);
		const cpuStart = process.cpuUsage();
		const start = process.hrtime.bigint();
		const report = await importSales(into, text, {
			dryRun: false,
			actor: {},
			mapping,
			dateOrder: 'DMY',
			decimal: ',',
			parseThread: null
		});
		const seconds = Number(process.hrtime.bigint() - start) / 1e9;
		const used = process.cpuUsage(cpuStart);
		if (report.rejected > 0)
			throw new Error(`${report.rejected} rows refused: ${JSON.stringify(report.errors[0])}`);
		return { cpuMicros: (used.user + used.system) / ROWS, rowsPerSecond: ROWS / seconds };
	} finally {
		into.$client.close();
		for (const suffix of ['', '-wal', '-shm']) rmSync(copy + suffix, { force: true });
	}
}

const load = () =>
	loadavg()
		.map((l) => l.toFixed(2))
		.join(' ');
const median = (values: number[]) => {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
console.log(`${ROWS} rows a run, ${ROUNDS} rounds, ${drops.length} drops; load ${load()}`);
// A first import warms the JIT and the page cache; not counted.
await run(null);
const runs = new Map<string, { dropped: Run[]; untouched: Run[]; error?: string }>(
	drops.map((drop) => [drop.name, { dropped: [], untouched: [] }])
);
for (let round = 0; round < ROUNDS; round++)
	for (const drop of drops) {
		const entry = runs.get(drop.name)!;
		if (entry.error) continue;
		entry.untouched.push(await run(null));
		try {
			entry.dropped.push(await run(drop.sql));
		} catch (error) {
			entry.error = error instanceof Error ? error.message : String(error);
		}
		console.log(`round ${round + 1} ${drop.name} done; load ${load()}`);
	}
const width = Math.max(...drops.map((drop) => drop.name.length)) + 2;
console.log(`${'dropped'.padEnd(width)} µs CPU a row (untouched)  change  rows/s (untouched)`);
for (const drop of drops) {
	const { dropped, untouched, error } = runs.get(drop.name)!;
	if (error) {
		console.log(`${drop.name.padEnd(width)} fails: ${error.slice(0, 120)}`);
		continue;
	}
	const [cpu, base] = [
		median(dropped.map((r) => r.cpuMicros)),
		median(untouched.map((r) => r.cpuMicros))
	];
	const [rate, baseRate] = [
		median(dropped.map((r) => r.rowsPerSecond)),
		median(untouched.map((r) => r.rowsPerSecond))
	];
	console.log(
		`${drop.name.padEnd(width)} ${cpu.toFixed(1).padStart(6)} (${base.toFixed(1).padStart(6)})  ${(((cpu - base) / base) * 100).toFixed(1).padStart(5)} %  ${rate.toFixed(0).padStart(6)} (${baseRate.toFixed(0).padStart(6)})`
	);
}
console.log(`load ${load()}`);
cleanup();
