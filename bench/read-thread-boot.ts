// The read thread's start (reads/thread.ts), this checkout's build/read-thread.js against another
// checkout's (`--against DIR`), each started `--starts` times in a fresh process of its own, in
// turn. Figures that depend little on the machine's load: the bundle's size and the CPU the
// process spends (its main thread only waits, so that is the thread's): from `new Worker` to the
// bundle loaded (its connection open, ready for a request), of the bundle's load alone (timed
// inside the thread, from the first line that runs there to the end of its import), then of the
// default dashboard's figures, first and again. Wall times beside them, which the load inflates.
// Before the starts, what each build's thread loads before its first request: the files (the
// entry and the chunks it imports statically) and their bytes.
// On `--db FILE` (a seeded file: `BENCH_DASHBOARD_DB` of bench:dashboard), else on a temp file of
// `--sales` sales (bench/lib/seed-sales.ts).
//
//   npx tsx bench/read-thread-boot.ts [--against /work/wt-base] [--starts 7] [--db FILE | --sales 50000]
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { openDatabase } from '../src/lib/server/db';
import { parseFilters } from '../src/lib/server/dashboard/filters';
import { option, textOption } from './lib/args';
import { seedSales } from './lib/seed-sales';
import { filesLoadedAtStart } from '../tests/helpers/bundle-files';
import { ROOT } from './lib/server';

const STARTS = option('starts', 7);
const SALES = option('sales', 50_000);
const dbOption = textOption('db');
const against = textOption('against');

const builds: [string, string][] = [['this', join(ROOT, 'build/read-thread.js')]];
if (against) builds.push(['against', join(resolve(against), 'build/read-thread.js')]);
for (const [, entry] of builds)
	if (!existsSync(entry)) throw new Error(`${entry} is missing: build that checkout first`);

// One start, in a process of its own: prints one JSON line of µs (CPU: user + system of the whole
// process; its main thread only waits on the thread's messages) and ms (wall).
const CHILD = `
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
const [entry, databaseUrl, request] = process.argv.slice(1);
// Inside the thread: the bundle imported as the thread's entry, timed from the first line.
const LOADER = \`
const { parentPort } = require('node:worker_threads');
const cpu = process.cpuUsage();
const at = performance.now();
import(\${JSON.stringify(pathToFileURL(entry).href)}).then(() => {
	const used = process.cpuUsage(cpu);
	parentPort.postMessage({ loaded: { cpu: used.user + used.system, wall: performance.now() - at } });
});\`;
const cpuSince = (start) => { const used = process.cpuUsage(start); return used.user + used.system; };
const startCpu = process.cpuUsage();
const startAt = performance.now();
const worker = new Worker(LOADER, { eval: true, execArgv: [], workerData: { databaseUrl } });
const next = () => new Promise((done) => worker.once('message', done));
const { loaded } = await next();
const ready = { cpu: cpuSince(startCpu), wall: performance.now() - startAt };
const ask = async (id) => {
	const cpu = process.cpuUsage();
	const at = performance.now();
	worker.postMessage({ ...JSON.parse(request), id });
	const answer = await next();
	if ('error' in answer) throw new Error(answer.error);
	return { cpu: cpuSince(cpu), wall: performance.now() - at };
};
const first = await ask(1);
const again = await ask(2);
console.log(JSON.stringify({ ready, loaded, first, again }));
await worker.terminate();
`;

type Timing = { cpu: number; wall: number };
type Start = Record<'ready' | 'loaded' | 'first' | 'again', Timing>;

const run = promisify(execFile);
async function start(entry: string, path: string, request: string): Promise<Start> {
	const { stdout } = await run(
		process.execPath,
		['--input-type=module', '-e', CHILD, entry, path, request],
		{ env: { ...process.env, LOG_LEVEL: 'warn' } }
	);
	return JSON.parse(stdout.trim().split('\n').at(-1)!) as Start;
}

const median = (values: number[]) =>
	[...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const load = () =>
	loadavg()
		.map((l) => l.toFixed(1))
		.join(' ');

const dir = mkdtempSync(join(tmpdir(), 'honorboard-bench-thread-boot-'));
try {
	const path = dbOption ? resolve(dbOption) : join(dir, 'bench.db');
	if (!dbOption || !existsSync(path)) await seedSales(path, SALES);
	const c = openDatabase(path).$client;
	const { id: seasonId, sales } = c
		.prepare('select min(id) as id, (select count(*) from sale) as sales from season')
		.get() as { id: number; sales: number };
	c.close();
	const request = JSON.stringify({
		kind: 'dashboard',
		seasonId,
		filters: parseFilters(new URLSearchParams()),
		now: Date.now()
	});
	console.log(`${sales.toLocaleString('en')} sales in ${path}; load ${load()} at the start`);
	for (const [name, entry] of builds) {
		const files = filesLoadedAtStart(entry);
		const bytes = files.reduce((sum, f) => sum + f.bytes, 0);
		console.log(
			`  ${name}: ${entry}, ${statSync(entry).size.toLocaleString('en')} bytes; ` +
				`a start loads ${files.length} files, ${bytes.toLocaleString('en')} bytes`
		);
	}

	const starts: Record<string, Start[]> = Object.fromEntries(builds.map(([name]) => [name, []]));
	for (let i = 0; i < STARTS; i++) {
		const line: string[] = [];
		for (const [name, entry] of builds) {
			const s = await start(entry, path, request);
			starts[name].push(s);
			line.push(`${name} ready ${(s.ready.cpu / 1000).toFixed(0)} ms CPU`);
		}
		console.log(`  start ${i + 1}: ${line.join(', ')} (load ${load()})`);
	}
	const parts: [keyof Start, string][] = [
		['ready', 'new Worker → bundle loaded'],
		['loaded', 'the bundle’s import, in the thread'],
		['first', 'first dashboard figures'],
		['again', 'the same figures again']
	];
	console.log(`medians of ${STARTS} starts (CPU ms, wall ms):`);
	for (const [part, label] of parts)
		console.log(
			`  ${label.padEnd(36)} ` +
				builds
					.map(([name]) => {
						const cpu = median(starts[name].map((s) => s[part].cpu)) / 1000;
						const wall = median(starts[name].map((s) => s[part].wall));
						return `${name} ${cpu.toFixed(1)} CPU / ${wall.toFixed(1)} wall`;
					})
					.join(', ')
		);
	console.log(`load ${load()} at the end`);
} finally {
	rmSync(dir, { recursive: true, force: true });
}
