// Cold start: from spawning `node build/server.js` on a database with 200,000 sales to the first
// 200 on GET /login and on an API call (GET /api/v1/seasons/current with a token), against a bare
// `node -e` server (node:http + better-sqlite3 opening the same file and answering one query) in
// the same run. Each is started RUNS times, interleaved; medians and the ratio are printed with
// the machine's load at start and end, and bench/results/start-<time>.json is written.
// `--profile` starts the app once more with --cpu-prof (bench/results/profiles/).
// Ports 4543-4544 (START_BENCH_PORT). Run with `npm run bench:start [-- --quick] [-- --sales N]`.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../src/lib/server/db';
import { createApiToken } from '../src/lib/server/auth/api-token';
import { sqliteStore } from '../src/lib/server/db/store';
import { catchUpFacts } from '../src/lib/server/badges/facts';
import { missingBuild, snapshotBuild, ROOT } from './lib/server';
import { seedSales } from './lib/seed-sales';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const PROFILE = args.includes('--profile');
// The badge facts are built once after an upgrade, in slices after listen; by default the bench
// builds them before timing, as a server that has run once has them. `--no-facts` leaves them
// to the server (its first minutes then share the loop with that catch-up).
const FACTS = !args.includes('--no-facts');
const SALES = args.includes('--sales') ? Number(args[args.indexOf('--sales') + 1]) : 200_000;
const RUNS = QUICK ? 1 : 3;
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

/** Spawns a server and polls each URL every 5 ms until it answers 200: ms from spawn to each. */
async function coldStart(
	command: string[],
	env: Record<string, string>,
	port: number,
	requests: { name: string; path: string; headers?: Record<string, string> }[]
): Promise<Record<string, number>> {
	const started = performance.now();
	const child = spawn(process.execPath, command, {
		cwd: ROOT,
		env: { ...process.env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', ...env },
		stdio: ['ignore', 'ignore', 'pipe']
	});
	let stderr = '';
	child.stderr!.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
	const exited = new Promise<void>((done) => child.once('exit', () => done()));
	try {
		const times: Record<string, number> = {};
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
		return times;
	} finally {
		child.kill('SIGTERM');
		const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
		await exited;
		clearTimeout(killer);
	}
}

const missing = missingBuild();
if (missing) {
	console.error(missing);
	process.exit(1);
}
const loadStart = loadavg().map(round);
console.log(`load average at start: ${loadStart.join(' ')}`);
const dir = mkdtempSync(join(tmpdir(), 'honorboard-bench-start-'));
const build = snapshotBuild();
try {
	const path = join(dir, 'bench.db');
	const seeded = await seedSales(path, SALES);
	const db = openDatabase(path);
	const { token } = await createApiToken(sqliteStore(db), { name: 'bench', role: 'integration' });
	if (FACTS) {
		const t0 = performance.now();
		db.transaction((tx) => catchUpFacts(tx));
		console.log(`badge facts built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
	}
	db.$client.pragma('wal_checkpoint(TRUNCATE)');
	db.$client.close();
	console.log(`seeded ${SALES.toLocaleString('en')} sales in ${seeded.seconds.toFixed(1)} s`);

	const app = () =>
		coldStart([build.entry], { DATABASE_URL: path, ORIGIN: `http://127.0.0.1:${PORT}` }, PORT, [
			{ name: 'login', path: '/login' },
			{
				name: 'api',
				path: '/api/v1/seasons/current',
				headers: { authorization: `Bearer ${token}` }
			}
		]);
	const bare = () =>
		coldStart(['-e', BARE_SERVER], { DATABASE_URL: path }, BARE_PORT, [
			{ name: 'bare', path: '/' }
		]);
	const runs: { app: Record<string, number>; bare: Record<string, number> }[] = [];
	for (let i = 0; i < RUNS; i++) {
		const a = await app();
		const b = await bare();
		runs.push({ app: a, bare: b });
		console.log(`run ${i + 1}: /login ${a.login} ms, API ${a.api} ms, bare ${b.bare} ms`);
	}
	const login = median(runs.map((r) => r.app.login));
	const api = median(runs.map((r) => r.app.api));
	const bareMs = median(runs.map((r) => r.bare.bare));
	console.log(
		`median of ${RUNS}: first /login ${login} ms, first API ${api} ms, bare ${bareMs} ms; ` +
			`ratio ${round(login / bareMs)}x (/login), ${round(api / bareMs)}x (API)`
	);
	if (PROFILE) {
		const profiles = join(ROOT, 'bench/results/profiles');
		mkdirSync(profiles, { recursive: true });
		await coldStart(
			['--cpu-prof', `--cpu-prof-dir=${profiles}`, build.entry],
			{ DATABASE_URL: path, ORIGIN: `http://127.0.0.1:${PORT}` },
			PORT,
			[{ name: 'login', path: '/login' }]
		);
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
				runs,
				median: { login, api, bare: bareMs },
				ratio: { login: round(login / bareMs), api: round(api / bareMs) },
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
