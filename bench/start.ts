// Cold start: from spawning `node build/server.js` on a database with 200,000 sales to the first
// 200 on GET /login and on an API call (GET /api/v1/seasons/current with a token), against a bare
// `node -e` server (node:http + better-sqlite3 opening the same file and answering one query) in
// the same run. Each is started RUNS times, interleaved; medians and the ratio are printed with
// the machine's load at start and end, and bench/results/start-<time>.json is written.
// `--profile` starts the app once more with --cpu-prof (bench/results/profiles/).
// `--against DIR` (repeatable): another checkout's build (built, used in place) started in turn
// with this one and the bare server, on the same file, each run in a rotated order; `--only-against`
// leaves this checkout's build out (to compare builds from a checkout not built itself).
// `--runs N` (default 3). BENCH_START_DB=FILE seeds FILE and keeps it, or reuses it when it is
// there; every start gets a fresh copy of it (what one start writes does not reach the next).
// Each start also reports when the server first accepted a connection (`listen`): what comes
// before it is the process's own start (modules, open, migrate), after it the first answer.
// Ports 4543-4544 (START_BENCH_PORT). Run with `npm run bench:start [-- --quick] [-- --sales N]`.
import { spawn } from 'node:child_process';
import {
	closeSync,
	copyFileSync,
	existsSync,
	fsyncSync,
	mkdirSync,
	mkdtempSync,
	openSync,
	rmSync,
	writeFileSync
} from 'node:fs';
import { connect } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../src/lib/server/db';
import { createApiToken } from '../src/lib/server/auth/api-token';
import { sqliteStore } from '../src/lib/server/db/store';
import { catchUpFacts } from '../src/lib/server/badges/facts';
import { missingBuild, procCpuSeconds, snapshotBuild, ROOT } from './lib/server';
import { seedSales } from './lib/seed-sales';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const PROFILE = args.includes('--profile');
// The badge facts are built once after an upgrade, in slices after listen; by default the bench
// builds them before timing, as a server that has run once has them. `--no-facts` leaves them
// to the server (its first minutes then share the loop with that catch-up).
const FACTS = !args.includes('--no-facts');
const SALES = args.includes('--sales') ? Number(args[args.indexOf('--sales') + 1]) : 200_000;
const RUNS = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : QUICK ? 1 : 3;
const AGAINST = args.flatMap((arg, i) => (arg === '--against' ? [resolve(args[i + 1])] : []));
const ONLY_AGAINST = args.includes('--only-against');
const KEPT_DB = process.env.BENCH_START_DB;
const PORT = Number(process.env.START_BENCH_PORT ?? 4543);
const BARE_PORT = PORT + 1;

const round = (value: number) => Math.round(value * 10) / 10;
const median = (values: number[]) =>
	[...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const BARE_SERVER = `
const http = require('node:http');
const Database = require('better-sqlite3');
const db = new Database(process.env.DATABASE_URL);
db.pragma('journal_mode = WAL');
const count = db.prepare('select count(*) as n from sale');
http.createServer((req, res) => {
	res.setHeader('content-type', 'application/json');
	res.end(JSON.stringify(count.get()));
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

/** Resolves once something accepts a connection on the port (polled every 5 ms): ms from `started`. */
async function listening(port: number, started: number, stop: () => boolean): Promise<number> {
	for (;;) {
		if (stop()) return NaN;
		const accepted = await new Promise<boolean>((done) => {
			const socket = connect(port, '127.0.0.1');
			socket.once('connect', () => {
				socket.destroy();
				done(true);
			});
			socket.once('error', () => done(false));
		});
		if (accepted) return round(performance.now() - started);
		await new Promise((r) => setTimeout(r, 5));
	}
}

/**
 * Spawns a server and polls each URL every 5 ms until it answers 200: ms from spawn to each, and
 * to the first accepted connection (`listen`).
 */
async function coldStart(
	command: string[],
	env: Record<string, string>,
	port: number,
	requests: { name: string; path: string; headers?: Record<string, string> }[],
	cwd = ROOT
): Promise<Record<string, number>> {
	const started = performance.now();
	const child = spawn(process.execPath, command, {
		cwd,
		env: { ...process.env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', ...env },
		stdio: ['ignore', 'ignore', 'pipe']
	});
	let stderr = '';
	child.stderr!.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
	const exited = new Promise<void>((done) => child.once('exit', () => done()));
	try {
		const times: Record<string, number> = {};
		let answered = false;
		const listen = listening(port, started, () => answered || child.exitCode !== null);
		await Promise.all(
			requests.map(async ({ name, path, headers }) => {
				for (;;) {
					if (child.exitCode !== null) throw new Error(`server exited:\n${stderr}`);
					if (performance.now() - started > 180_000)
						throw new Error(`no 200 on ${path} in 180 s:\n${stderr}`);
					try {
						const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
						await response.arrayBuffer();
						if (response.status === 200) {
							times[name] = round(performance.now() - started);
							return;
						}
						if (response.status >= 400) throw new Error(`${path} answered ${response.status}`);
					} catch (error) {
						if (error instanceof Error && error.message.includes('answered')) throw error;
					}
					await new Promise((r) => setTimeout(r, 5));
				}
			})
		);
		answered = true;
		// CPU until both answered: the whole process (its threads too) and its main thread.
		const cpu = procCpuSeconds(child.pid!) ?? NaN;
		const mainCpu = procCpuSeconds(child.pid!, child.pid!) ?? NaN;
		return {
			listen: await listen,
			...times,
			cpu: round(cpu * 1000),
			mainCpu: round(mainCpu * 1000)
		};
	} finally {
		child.kill('SIGTERM');
		const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
		await exited;
		clearTimeout(killer);
	}
}

const missing = ONLY_AGAINST ? null : missingBuild();
if (missing) {
	console.error(missing);
	process.exit(1);
}
for (const other of AGAINST)
	if (!existsSync(join(other, 'build/server.js')))
		throw new Error(`${other}/build/server.js is missing: build that checkout first`);
const loadStart = loadavg().map(round);
console.log(`load average at start: ${loadStart.join(' ')}`);
const dir = mkdtempSync(join(tmpdir(), 'honorboard-bench-start-'));
const build = ONLY_AGAINST ? { entry: '', remove: () => {} } : snapshotBuild();
try {
	const kept = KEPT_DB ? resolve(KEPT_DB) : join(dir, 'seeded.db');
	if (!KEPT_DB || !existsSync(kept)) {
		const seeded = await seedSales(kept, SALES);
		console.log(`seeded ${SALES.toLocaleString('en')} sales in ${seeded.seconds.toFixed(1)} s`);
		if (FACTS) {
			const t0 = performance.now();
			const db = openDatabase(kept);
			db.transaction((tx) => catchUpFacts(tx));
			db.$client.close();
			console.log(`badge facts built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
		}
	} else console.log(`reusing ${kept}`);
	const db = openDatabase(kept);
	const { token } = await createApiToken(sqliteStore(db), {
		name: `bench-${Date.now()}`,
		role: 'integration'
	});
	db.$client.pragma('wal_checkpoint(TRUNCATE)');
	db.$client.close();
	const path = join(dir, 'bench.db');
	/**
	 * A fresh copy of the seeded file for each start, on disk before the start is timed (else
	 * the server's first fsync writes the copy's dirty pages).
	 */
	const fresh = () => {
		for (const suffix of ['-wal', '-shm']) rmSync(path + suffix, { force: true });
		copyFileSync(kept, path);
		const fd = openSync(path, 'r+');
		fsyncSync(fd);
		closeSync(fd);
	};

	const appRequests = [
		{ name: 'login', path: '/login' },
		{
			name: 'api',
			path: '/api/v1/seasons/current',
			headers: { authorization: `Bearer ${token}` }
		}
	];
	const env = { DATABASE_URL: path, ORIGIN: `http://127.0.0.1:${PORT}` };
	const starts: { name: string; start: () => Promise<Record<string, number>> }[] = [
		...(ONLY_AGAINST
			? []
			: [{ name: 'this', start: () => coldStart([build.entry], env, PORT, appRequests) }]),
		...AGAINST.map((other) => ({
			name: other,
			start: () => coldStart([join(other, 'build/server.js')], env, PORT, appRequests, other)
		})),
		{
			name: 'bare',
			start: () =>
				coldStart(['-e', BARE_SERVER], { DATABASE_URL: path }, BARE_PORT, [
					{ name: 'bare', path: '/' }
				])
		}
	];
	const runs: Record<string, Record<string, number>>[] = [];
	for (let i = 0; i < RUNS; i++) {
		const run: Record<string, Record<string, number>> = {};
		// Rotated, so that no build always starts right after the same one.
		const order = starts.map((_, k) => starts[(i + k) % starts.length]);
		for (const { name, start } of order) {
			fresh();
			run[name] = await start();
		}
		runs.push(run);
		const line = starts.map(({ name }) => {
			const t = run[name];
			return name === 'bare'
				? `bare ${t.bare} ms, CPU ${t.cpu} ms`
				: `${name.split('/').pop()}: listen ${t.listen} · /login ${t.login} · API ${t.api} ms, CPU ${t.cpu} (main ${t.mainCpu}) ms`;
		});
		console.log(`run ${i + 1} (load ${loadavg().map(round).join(' ')}): ${line.join('; ')}`);
	}
	const bareMs = median(runs.map((r) => r.bare.bare));
	const medians: Record<string, Record<string, number>> = { bare: { bare: bareMs } };
	for (const { name } of starts) {
		if (name === 'bare') continue;
		const m = Object.fromEntries(
			['listen', 'login', 'api', 'cpu', 'mainCpu'].map((k) => [
				k,
				median(runs.map((r) => r[name][k]))
			])
		);
		medians[name] = m;
		console.log(
			`median of ${RUNS}, ${name}: listen ${m.listen} ms, first /login ${m.login} ms, first API ` +
				`${m.api} ms; ratio to bare (${bareMs} ms) ${round(m.login / bareMs)}x (/login), ` +
				`${round(m.api / bareMs)}x (API); CPU to both answers ${m.cpu} ms (main thread ${m.mainCpu})`
		);
	}
	if (PROFILE && !ONLY_AGAINST) {
		fresh();
		const profiles = join(ROOT, 'bench/results/profiles');
		mkdirSync(profiles, { recursive: true });
		await coldStart(['--cpu-prof', `--cpu-prof-dir=${profiles}`, build.entry], env, PORT, [
			{ name: 'login', path: '/login' }
		]);
		console.log(`CPU profile of one start in ${profiles}`);
	}
	const loadEnd = loadavg().map(round);
	console.log(`load average at end: ${loadEnd.join(' ')}`);
	mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
	const file = join(
		ROOT,
		`bench/results/start-${new Date().toISOString().replace(/[:.]/g, '-')}.json`
	);
	writeFileSync(
		file,
		JSON.stringify(
			{
				sales: SALES,
				facts: FACTS,
				against: AGAINST,
				runs,
				medians,
				loadStart,
				loadEnd
			},
			null,
			2
		)
	);
	console.log(`results: ${file}`);
} finally {
	build.remove();
	rmSync(dir, { recursive: true, force: true });
}
