// npm run bench:import [-- --quick] [-- --sizes 10000,100000,1000000 --people 1000 --batch 500]
// (--rows N is one size; --parse-inline, --checkpoints-inline, --postgres, --profile DIR: see the
// options.) For each size,
// in its own process (so that each peak RSS is its own):
// writes a generated CSV file (one line per sale line, as a European spreadsheet writes it: `;`,
// decimal commas, zone-less DD.MM.YYYY HH:mm times) to disk as a stream and imports it into a
// fresh temporary database through the same streaming service the API uses (dry run, commit,
// re-import; `--passes job`: as a background job does, from the file stored in the database, with
// its checkpoint and errors written per window), then the same rows with bare better-sqlite3 (one prepared INSERT per row in one
// transaction) in the same run (the rows read in the parse thread and the WAL checkpointed in its
// thread, as the built server does; needs a build); prints rows per second, the ratio, the event
// loop's delay during each pass (p99, max), the peak RSS (the process's maxRSS, which covers the
// whole import) and the machine load. Results go to
// bench/results/import-<time>.json.
//
// --postgres: the same season seeded, then copied into a throwaway PostgreSQL (the migrate-to
// copy; tests/helpers/postgres.ts, on PG_TEST_PORT), and the passes import into it through
// importSalesOn on the PostgreSQL store (no checkpoint thread: SQLite's). The process's CPU leaves
// out the PostgreSQL server's own; the bare stack is still better-sqlite3's.
import {
	createReadStream,
	createWriteStream,
	mkdirSync,
	readFileSync,
	rmSync,
	statSync,
	writeFileSync
} from 'node:fs';
import { Readable } from 'node:stream';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { tempDb } from '../tests/helpers/db';
import { IMPORT_HEADER, importLine, importRows, seedImportSeason } from './lib/import-season';
import { importSalesOn, type ImportReport } from '../src/lib/server/imports/sales';
import { startImportJob } from '../src/lib/server/imports/jobs';
import { saveUpload } from '../src/lib/server/imports/upload';
import { closeStore, openStore, sqliteStore } from '../src/lib/server/db/store';
import { migrateTo } from '../src/lib/server/db/migrate-to';
import { startPostgres } from '../tests/helpers/postgres';
import { guessMapping } from '../src/lib/imports/mapping';
import { useParseThread } from '../src/lib/server/imports/parse-thread';
import { parseThreadEntry } from '../tests/helpers/parse-thread';
import { startCheckpointer } from '../src/lib/server/db/checkpointer';
import { ROOT } from './lib/server';
import { profiled, splitOf } from './lib/profile-split';

const { values } = parseArgs({
	options: {
		quick: { type: 'boolean', default: false },
		sizes: { type: 'string' },
		child: { type: 'string' },
		rows: { type: 'string' },
		people: { type: 'string', default: '1000' },
		batch: { type: 'string', default: '500' },
		// Which runs: a million rows on a busy machine may only have time for the commit.
		passes: { type: 'string', default: 'dry,commit,again' },
		// Rows read inline, on the importing thread, instead of in the parse thread as the
		// built server reads them (imports/parse-thread.ts).
		'parse-inline': { type: 'boolean', default: false },
		// WAL checkpoints in the window's commit that crosses SQLite's threshold, on the importing
		// thread, instead of in their thread as the built server makes them (server.ts).
		'checkpoints-inline': { type: 'boolean', default: false },
		postgres: { type: 'boolean', default: false },
		// A directory: the commit pass's main thread profiled (bench/lib/profile-split.ts), its
		// profile written there and its CPU printed by part. The profiler costs CPU too: compare
		// profiled runs with profiled runs only.
		profile: { type: 'string' }
	}
});

if (!values.child) {
	// The parent: one child per size, then the table.
	const sizes = (
		values.sizes ??
		values.rows ??
		(values.quick ? '10000,50000' : '10000,100000,1000000')
	)
		.split(',')
		.map(Number);
	const loadStart = loadavg();
	console.log(`load at start ${loadStart.map((l) => l.toFixed(2)).join(' ')}`);
	const runs = sizes.map((rows) => {
		const out = execFileSync(
			process.execPath,
			[
				...process.execArgv,
				process.argv[1],
				'--child',
				String(rows),
				'--people',
				values.people!,
				'--batch',
				values.batch!,
				'--passes',
				values.passes!,
				...(values['parse-inline'] ? ['--parse-inline'] : []),
				...(values['checkpoints-inline'] ? ['--checkpoints-inline'] : []),
				...(values.postgres ? ['--postgres'] : []),
				...(values.profile ? ['--profile', values.profile] : [])
			],
			{ encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 }
		);
		process.stdout.write(out.split('\nRESULT ')[0] + '\n');
		return JSON.parse(out.split('\nRESULT ')[1]);
	});
	const loadEnd = loadavg();
	console.log(
		'\n| rows | file | project commit rows/s | bare insert rows/s | ratio | dry run rows/s | peak RSS (import) | load (1 min) |'
	);
	console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
	for (const r of runs)
		console.log(
			`| ${r.rows.toLocaleString('en')} | ${r.fileMb} MB | ${r.commit?.toLocaleString('en') ?? '–'} | ${r.bare.toLocaleString('en')} | ${r.commit ? (r.bare / r.commit).toFixed(1) + '×' : '–'} | ${r.dryRun?.toLocaleString('en') ?? '–'} | ${r.peakRssMb} MB (setup ${r.setupRssMb} MB) | ${r.load.toFixed(2)} |`
		);
	console.log(`load at end ${loadEnd.map((l) => l.toFixed(2)).join(' ')}`);
	mkdirSync('bench/results', { recursive: true });
	const file = `bench/results/import-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
	writeFileSync(file, JSON.stringify({ loadStart, loadEnd, runs, node: process.version }, null, 2));
	console.log(`wrote ${file}`);
	process.exit(0);
}

const ROWS = Number(values.child);
const PEOPLE = Number(values.people);
const BATCH = Number(values.batch);

let peakRss = 0;
const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
const sampler = setInterval(sample, 50);

const { db, path: dbPath, cleanup } = tempDb();
// As the built server does: the file's rows read in a thread beside the import.
useParseThread(values['parse-inline'] ? null : await parseThreadEntry());
// And its WAL checkpoints in their thread (build/checkpoint-thread.js), as the built server
// makes them: without it each checkpoint (a copy of ~16 MB and two fsyncs) ran in the window's
// commit that crossed the threshold, on the importing thread, which the server never does.
const checkpointer =
	values['checkpoints-inline'] || values.postgres
		? undefined
		: startCheckpointer(join(ROOT, 'build/checkpoint-thread.js'), dbPath, db.$client);
if (!values['checkpoints-inline'] && !values.postgres && !checkpointer)
	throw new Error('the checkpoint thread needs npm run build (or --checkpoints-inline)');
const bench = await seedImportSeason(db, PEOPLE);
const postgres = values.postgres ? await postgresCopy() : null;
/** The store the passes import into: the temp file's, or its copy on PostgreSQL. */
const store = postgres?.store ?? sqliteStore(db);

/** A throwaway PostgreSQL holding a copy of the seeded file, and its store. */
async function postgresCopy() {
	const server = await startPostgres();
	const { report } = await migrateTo(dbPath, server.url);
	if (!report.ok) throw new Error(`migrate-to differs: ${report.mismatches.join('; ')}`);
	return { server, store: await openStore(server.url) };
}
const skus = bench.skus;
const HEADER = IMPORT_HEADER;
/** The file's rows, generated the same way each time (the CSV, then the bare inserts). */
const saleRows = () => importRows(bench, ROWS);
const csvPath = join(tmpdir(), `honorboard-bench-import-${process.pid}.csv`);
const out = createWriteStream(csvPath);
out.write(HEADER);
let sales = 0;
let lastId = '';
for (const row of saleRows()) {
	if (row[0] !== lastId) sales += 1;
	lastId = row[0];
	if (!out.write(`\n${importLine(row)}`)) await once(out, 'drain');
}
out.end();
await once(out, 'finish');
const fileMb = statSync(csvPath).size / 1e6;
console.log(
	`CSV: ${ROWS.toLocaleString('en')} rows, ${sales.toLocaleString('en')} sales, ${fileMb.toFixed(1)} MB on disk; ${PEOPLE} people, ${skus.length} products, 2 rules`
);
// The RSS of the database and people set up, before any import.
const setupRss = process.memoryUsage().rss;

/** The file as the API's background job imports it: stored as an upload, then read from there. */
async function viaJob(): Promise<ImportReport> {
	const body = Readable.toWeb(createReadStream(csvPath)) as ReadableStream<Uint8Array>;
	const upload = await saveUpload(store, body, Infinity);
	const [owner] = await store.db
		.select({ id: store.tables.user.id })
		.from(store.tables.user)
		.limit(1);
	const job = await startImportJob(
		store,
		{ uploadId: upload.id },
		{ owner: { userId: owner.id }, batchSize: BATCH, mapping: guessMapping(HEADER.split(';')) }
	);
	await job.finished;
	if (!job.report) throw job.failure;
	return job.report;
}

/**
 * CPU seconds of this process's main thread alone (Linux: /proc/self/task/<pid>/stat, in clock
 * ticks of 10 ms); null elsewhere. With the parse thread, the import's critical path: what one
 * thread must do, whatever the other core does meanwhile.
 */
function mainThreadCpu(): number | null {
	try {
		const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
		// The fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return (Number(fields[11]) + Number(fields[12])) / 100;
	} catch {
		return null;
	}
}

/** A pass profiled: its profile written into `dir`, its parts' shares of the samples kept. */
async function profiledPass(pass: () => Promise<ImportReport>, dir: string) {
	mkdirSync(dir, { recursive: true });
	const file = join(dir, `import-commit-${ROWS}-${process.pid}.cpuprofile`);
	const { result, profile } = await profiled(pass, file);
	split = { file, parts: splitOf(profile) };
	return result;
}
let split: { file: string; parts: [string, number][] } | null = null;

/** The profiled pass's main-thread CPU by part (its share of the samples times the thread's CPU). */
function printSplit(mainSeconds: number) {
	console.log(`main thread ${mainSeconds.toFixed(1)} s of CPU by part (${split!.file}):`);
	for (const [part, share] of split!.parts)
		console.log(
			`  ${part.padEnd(48)} ${(100 * share).toFixed(1).padStart(5)} %  ${((share * mainSeconds * 1e6) / ROWS).toFixed(1).padStart(5)} µs/row`
		);
}

async function run(label: string, dryRun: boolean) {
	const t0 = performance.now();
	const cpu0 = process.cpuUsage();
	const main0 = mainThreadCpu();
	// How long the import holds the event loop: each window runs from its first statement to its
	// commit without yielding, and a server answers nothing meanwhile (issue: p99 ≤ 50 ms).
	const loop = monitorEventLoopDelay({ resolution: 10 });
	loop.enable();
	const pass = () =>
		label === 'job'
			? viaJob()
			: importSalesOn(
					store,
					{ path: csvPath },
					{ dryRun, actor: {}, batchSize: BATCH, mapping: guessMapping(HEADER.split(';')) }
				);
	const report =
		values.profile && label === 'commit' ? await profiledPass(pass, values.profile) : await pass();
	const seconds = (performance.now() - t0) / 1000;
	loop.disable();
	const loopP99 = loop.percentile(99) / 1e6;
	const loopMax = loop.max / 1e6;
	const cpu = process.cpuUsage(cpu0);
	// CPU time (user + system) of this process: on a shared machine, less moved by the load.
	const cpuSeconds = (cpu.user + cpu.system) / 1e6;
	const systemSeconds = cpu.system / 1e6;
	const main1 = mainThreadCpu();
	const mainSeconds = main0 === null || main1 === null ? null : main1 - main0;
	sample();
	if (split && label === 'commit' && mainSeconds !== null) printSplit(mainSeconds);
	console.log(
		`${label.padEnd(10)} ${seconds.toFixed(1).padStart(6)} s  ${Math.round(ROWS / seconds)
			.toLocaleString('en')
			.padStart(
				7
			)} rows/s  cpu ${cpuSeconds.toFixed(1)} s (${Math.round(ROWS / cpuSeconds).toLocaleString('en')} rows per cpu-s, system ${systemSeconds.toFixed(1)} s; main thread ${mainSeconds?.toFixed(1) ?? '?'} s; loop p99 ${loopP99.toFixed(1)} ms, max ${loopMax.toFixed(1)} ms)  new ${report.sales.new}, already ${report.sales.duplicate}, rejected rows ${report.rejected}`
	);
	return {
		label,
		seconds,
		cpuSeconds,
		systemSeconds,
		mainSeconds,
		loopP99Ms: Math.round(loopP99 * 10) / 10,
		loopMaxMs: Math.round(loopMax * 10) / 10,
		rowsPerSecond: Math.round(ROWS / seconds),
		sales: report.sales,
		rejected: report.rejected
	};
}

const passes = values.passes!.split(',');
const results: Awaited<ReturnType<typeof run>>[] = [];
if (passes.includes('dry')) results.push(await run('dry run', true));
if (passes.includes('commit')) results.push(await run('commit', false));
if (passes.includes('again')) results.push(await run('re-import', false));
if (passes.includes('job')) results.push(await run('job', false));
const rateOf = (label: string) => results.find((r) => r.label === label)?.rowsPerSecond ?? null;
clearInterval(sampler);
// maxRSS (kB) sees every peak, even one between two samples.
const projectPeak = Math.round(
	Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 1024 / 1024
);
rmSync(csvPath, { force: true });
if (postgres) {
	await closeStore(postgres.store);
	await postgres.server.stop();
}
if (checkpointer) {
	await checkpointer.close();
	// RESTARTs take the write lock: the longest is the longest a window's commit can have waited.
	const done = checkpointer.done;
	console.log(
		`checkpoint thread: ${done.checkpoints} checkpoints, ${done.frames.toLocaleString('en')} frames, RESTARTs ${done.restartMs} ms (longest ${done.longestRestartMs} ms)`
	);
}

// The bare stack: the same rows, one prepared INSERT each, in one transaction.
const bare = new Database(':memory:');
bare.exec(
	'create table sale_row (external_id text, seller text, occurred_at integer, sku text, quantity integer, unit_price integer)'
);
const insert = bare.prepare('insert into sale_row values (?, ?, ?, ?, ?, ?)');
const t0 = performance.now();
bare.transaction(() => {
	for (const r of saleRows()) insert.run(...r);
})();
const bareSeconds = (performance.now() - t0) / 1000;
const bareRate = Math.round(ROWS / bareSeconds);
console.log(
	`${'bare'.padEnd(10)} ${bareSeconds.toFixed(2).padStart(6)} s  ${bareRate.toLocaleString('en').padStart(7)} rows/s  (better-sqlite3, one INSERT per row)`
);
console.log(
	`peak RSS ${projectPeak} MB during the project's imports (Node ${process.version}, ${postgres ? 'PostgreSQL' : 'SQLite'}, batch ${BATCH}, rows read ${values['parse-inline'] ? 'inline' : 'in the parse thread'}, checkpoints ${postgres ? 'PostgreSQL’s' : checkpointer ? 'in their thread' : 'in the commits'})`
);
cleanup();
process.stdout.write(
	'\nRESULT ' +
		JSON.stringify({
			rows: ROWS,
			sales,
			people: PEOPLE,
			batch: BATCH,
			results,
			dryRun: rateOf('dry run'),
			commit: rateOf('commit'),
			job: rateOf('job'),
			bare: bareRate,
			peakRssMb: projectPeak,
			setupRssMb: Math.round(setupRss / 1024 / 1024),
			fileMb: Number(fileMb.toFixed(1)),
			load: loadavg()[0]
		})
);
