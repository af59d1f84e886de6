// The executive dashboard on a big season: 1,000 participants in 10 teams and 10,000, 50,000 and
// 200,000 sales. Seeds a temp database directly (prepared statements, big transactions; the
// rollup triggers run as they do for the app), then times the first load (a fresh connection)
// three ways, on the same data:
//   - rollups: dashboardData() as the app runs it (dashboard_slot, dashboard_product_day,
//     dashboard_line, kept by triggers);
//   - direct: the same figures recomputed from the sales and the ledger (the code before the
//     rollups), then again with covering indexes added for those scans;
//   - bare: plain better-sqlite3 `select day, sum(...) ... group by day` over the same sales and
//     ledger (the least any dashboard must do without rollups);
// and, when the production build is there, GET /dashboard on the built server (port 4542-4549,
// DASHBOARD_BENCH_PORT, else BENCH_PORT): first at once after the start, then on another fresh
// server after the last 7 days were shown (so the whole season's figures are computed with the
// code warm); then both again 3 s after signing in (the read thread has warmed the default
// dashboard by then).
// Prints the machine's load at start and end and writes bench/results/dashboard-<time>.json.
// Run with `npm run bench:dashboard [-- --quick] [-- --sizes 10000,50000]`.
// `--first-loads N [--against DIR]`: only GET /dashboard at once after a start, N times, each
// time on this build and then on DIR's (another checkout's `npm run build`), in turn.
// BENCH_DASHBOARD_DB=FILE (one size): seeds FILE and keeps it, or reuses it when it is there.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../src/lib/server/db';
import { dashboardData } from '../src/lib/server/dashboard/figures';
import { runPeriodicAwards } from '../src/lib/server/badges/periodic';
import { sqliteStore } from '../src/lib/server/db/store';
import { bucketsReads, dayStarts } from '../src/lib/server/dashboard/daily';
import {
	campaignEffectsReads,
	dashboardSeasonReads,
	participationReads,
	topProductsReads
} from '../src/lib/server/dashboard/queries';
import { runRawSync } from '../src/lib/server/db/raw-reads';
import { dayList, seasonDayBounds, weekRange } from '../src/lib/contest/calendar';
import type { DashboardFilters } from '../src/lib/server/dashboard/filters';
import { NOW, PEOPLE, TEAMS, seedSales } from './lib/seed-sales';
import {
	missingBuild,
	signIn,
	snapshotBuild,
	startBenchServer,
	ROOT,
	type BenchServer
} from './lib/server';
import { startOnFreePort } from './lib/port-retry';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const sizesArg = args[args.indexOf('--sizes') + 1];
const SIZES = args.includes('--sizes')
	? sizesArg.split(',').map(Number)
	: QUICK
		? [10_000, 50_000]
		: [10_000, 50_000, 200_000];
const PORT = Number(process.env.DASHBOARD_BENCH_PORT ?? process.env.BENCH_PORT ?? 4542);
const FIRST_LOADS = args.includes('--first-loads')
	? Number(args[args.indexOf('--first-loads') + 1])
	: 0;
const AGAINST = args.includes('--against') ? resolve(args[args.indexOf('--against') + 1]) : null;
const KEPT_DB = process.env.BENCH_DASHBOARD_DB;
if (KEPT_DB && SIZES.length !== 1) throw new Error('BENCH_DASHBOARD_DB takes one size (--sizes N)');
const RUNS = 5;
const median = (values: number[]) =>
	[...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value: number) => `${value.toFixed(1)} ms`;

function firstAndWarm(path: string, run: (db: ReturnType<typeof openDatabase>) => void) {
	// First: a fresh connection (SQLite's page cache empty; the OS cache stays warm).
	const db = openDatabase(path);
	let t = performance.now();
	run(db);
	const first = performance.now() - t;
	const warm: number[] = [];
	for (let i = 0; i < RUNS; i++) {
		t = performance.now();
		run(db);
		warm.push(performance.now() - t);
	}
	db.$client.close();
	return { first: round(first), warm: round(median(warm)) };
}

const round = (value: number) => Math.round(value * 10) / 10;

/** The bare stack: one plain group-by-day over the sales and one over the ledger. */
function bare(path: string, seasonId: number) {
	return firstAndWarm(path, (db) => {
		const c = db.$client;
		c.prepare(
			`select occurred_at / 86400000 as day, team_id, count(*), sum(amount) from sale
			where season_id = ? and status in ('pending', 'approved') group by 1, 2`
		).all(seasonId);
		c.prepare(
			`select created_at / 86400000 as day, team_id, sum(points) from ledger_entry
			where season_id = ? and status != 'void' group by 1, 2`
		).all(seasonId);
	});
}

/**
 * Where a first load's time goes: dashboardData's queries one by one on a fresh connection
 * (whole season, no team), the rest (season, teams, leaders, history, the JS that shapes the
 * charts) as the difference to a whole first load timed on another fresh connection.
 */
function parts(path: string, seasonId: number) {
	const db = openDatabase(path);
	const s = runRawSync(db, dashboardSeasonReads(seasonId))!;
	const { first, last } = seasonDayBounds(s);
	const days = dayList(first, last);
	const starts = dayStarts(days, s.timeZone);
	const range: [number, number] = [starts[0], starts[days.length]];
	const timed = (run: () => unknown) => {
		const t = performance.now();
		run();
		return round(performance.now() - t);
	};
	const result = {
		buckets: timed(() => runRawSync(db, bucketsReads(s, days))),
		participation: timed(() =>
			runRawSync(db, participationReads(s, null, weekRange(NOW, s.timeZone), range))
		),
		topProducts: timed(() => runRawSync(db, topProductsReads(seasonId, null, range))),
		campaigns: timed(() => runRawSync(db, campaignEffectsReads(s, null, NOW)))
	};
	db.$client.close();
	return result;
}

const COVERING = [
	`create index if not exists bench_sale_cover on sale (season_id, status, occurred_at, team_id, amount)`,
	`create index if not exists bench_line_cover on sale_line (sale_id, product_id, quantity, points)`,
	`create index if not exists bench_ledger_cover on ledger_entry (season_id, status, sale_id, team_id, points, created_at)`
];

/**
 * GET /dashboard and its CSV on a fresh server: the first request and the median of the next
 * RUNS (served from the figures' cache). With `prime`, that page is asked first: the first
 * /dashboard then computes its figures uncached with the code already run once, which separates
 * what the figures cost from what any first request after a start costs (compiling the code on
 * its first run, the database's pages read from disk). With `settleMs`, the first request waits
 * that long after signing in: a server that has been up a few seconds, whose read thread has
 * computed the default dashboard at start (dashboard/figures.ts warmDashboard).
 */
async function timeHttp(
	path: string,
	prime: string | null,
	settleMs = 0,
	{ entry, urls = ['/dashboard', '/dashboard/data.csv'] }: { entry?: string; urls?: string[] } = {}
): Promise<Record<string, unknown> | string> {
	const missing = entry ? null : missingBuild();
	if (missing) return `skipped: ${missing}`;
	const build = entry ? { entry, remove: () => {} } : snapshotBuild();
	let server: BenchServer | undefined;
	const spawned = performance.now();
	try {
		server = await startOnFreePort(
			(port) => startBenchServer(path, { entry: build.entry, port, startTimeoutMs: 180_000 }),
			PORT
		);
		let cookie: string;
		try {
			cookie = await signIn(server.url, 'exec@bench.test', 'bench-password');
		} catch (error) {
			return `skipped: ${(error as Error).message}`;
		}
		const get = async (url: string) => {
			const t = performance.now();
			const response = await fetch(server!.url + url, { headers: { cookie } });
			const body = await response.text();
			if (response.status !== 200)
				throw new Error(`GET ${url}: ${response.status} ${body.slice(0, 200)}`);
			return { time: performance.now() - t, bytes: body.length };
		};
		if (settleMs > 0) await new Promise((done) => setTimeout(done, settleMs));
		const primed = prime ? { [prime]: round((await get(prime)).time) } : {};
		const result: Record<string, unknown> = { ...primed };
		for (const url of urls) {
			const first = await get(url);
			// From the server's spawn to this first answer (the sign-in included): a build that
			// listens sooner gives its read thread less of a head start, and the time from listen
			// alone would count that against it.
			const fromSpawn = round(performance.now() - spawned);
			const warm: number[] = [];
			for (let i = 0; i < RUNS; i++) warm.push((await get(url)).time);
			result[url] = {
				first: round(first.time),
				fromSpawn,
				warm: round(median(warm)),
				kib: Math.round(first.bytes / 1024)
			};
		}
		return result;
	} finally {
		await server?.stop();
		build.remove();
	}
}

const loadStart = loadavg().map(round);
console.log(`load average at start: ${loadStart.join(' ')}`);
const results: Record<string, unknown>[] = [];
const filters: DashboardFilters = { teamId: null, period: 'season' };
/** Sales, as a running server has them; BENCH_DASHBOARD_DB's file when it is there. */
async function seededDatabase(dir: string, sales: number) {
	const path = KEPT_DB ? resolve(KEPT_DB) : join(dir, 'bench.db');
	if (KEPT_DB && existsSync(path)) {
		const c = openDatabase(path).$client;
		const seasonId = (c.prepare('select min(id) as id from season').get() as { id: number }).id;
		const teamIds = c
			.prepare('select id from team where season_id = ? order by id')
			.pluck()
			.all(seasonId) as number[];
		c.close();
		console.log(`\n${sales.toLocaleString('en')} sales: reusing ${path}`);
		return { path, seasonId, teamIds };
	}
	const seeded = await seedSales(path, sales);
	// The seed writes the ledger directly; the app keeps the badge facts with each sale. Take
	// them in now, as a running server has them, or its start-up catch-up (~14 s of slices at
	// 200,000 sales) competes with the pages timed below.
	const caughtUp = performance.now();
	const factsDb = openDatabase(path);
	await runPeriodicAwards(sqliteStore(factsDb), { entriesPerSlice: 5_000 });
	factsDb.$client.close();
	console.log(
		`\n${sales.toLocaleString('en')} sales, ${PEOPLE} people, ${TEAMS} teams (seeded in ${seeded.seconds.toFixed(1)} s, badge facts in ${((performance.now() - caughtUp) / 1000).toFixed(1)} s)`
	);
	return { path, seasonId: seeded.seasonId, teamIds: seeded.teamIds };
}

/**
 * GET /dashboard at once after a start, `rounds` times, this build and then `against`'s in turn
 * (each a fresh server on the same file): what an executive who opens it right after a restart
 * waits, and the order's bias spread over both.
 */
async function firstLoads(path: string, rounds: number, against: string | null) {
	const builds: [string, string | undefined][] = [['this', undefined]];
	if (against) {
		const entry = join(against, 'build/server.js');
		if (!existsSync(entry)) throw new Error(`${entry} is missing: build that checkout first`);
		builds.push(['against', entry]);
	}
	const times: Record<string, number[]> = Object.fromEntries(builds.map(([name]) => [name, []]));
	const fromSpawn: Record<string, number[]> = Object.fromEntries(
		builds.map(([name]) => [name, []])
	);
	for (let i = 0; i < rounds; i++) {
		const line: string[] = [];
		for (const [name, entry] of builds) {
			const http = await timeHttp(path, null, 0, { entry, urls: ['/dashboard'] });
			if (typeof http === 'string') throw new Error(http);
			const first = http['/dashboard'] as { first: number; fromSpawn: number };
			times[name].push(first.first);
			fromSpawn[name].push(first.fromSpawn);
			line.push(`${name} ${ms(first.first)} (${ms(first.fromSpawn)} from its spawn)`);
		}
		console.log(`  round ${i + 1}: ${line.join(', ')} (load ${loadavg().map(round).join(' ')})`);
	}
	const medians = Object.fromEntries(builds.map(([name]) => [name, round(median(times[name]))]));
	console.log(
		`  GET /dashboard at once, median of ${rounds}: ` +
			builds.map(([name]) => `${name} ${ms(medians[name])}`).join(', ') +
			(against ? ` (this ÷ against ${(medians.this / medians.against).toFixed(2)})` : '')
	);
	const spawnMedians = Object.fromEntries(
		builds.map(([name]) => [name, round(median(fromSpawn[name]))])
	);
	console.log(
		`  from the spawn to that answer, median of ${rounds}: ` +
			builds.map(([name]) => `${name} ${ms(spawnMedians[name])}`).join(', ')
	);
	return { against, times, medians, fromSpawn, spawnMedians };
}

for (const sales of SIZES) {
	const dir = mkdtempSync(join(tmpdir(), 'honorboard-bench-dashboard-'));
	try {
		const seeded = await seededDatabase(dir, sales);
		const path = seeded.path;
		if (FIRST_LOADS > 0) {
			results.push({ sales, firstLoads: await firstLoads(path, FIRST_LOADS, AGAINST) });
			continue;
		}
		const rollups = firstAndWarm(path, (db) =>
			dashboardData(db, seeded.seasonId, filters, () => NOW)
		);
		const firstParts = parts(path, seeded.seasonId);
		const oneTeam = firstAndWarm(path, (db) =>
			dashboardData(db, seeded.seasonId, { teamId: seeded.teamIds[3], period: '7d' }, () => NOW)
		);
		const baseline = bare(path, seeded.seasonId);
		const direct = firstAndWarm(path, (db) =>
			dashboardData(db, seeded.seasonId, filters, () => NOW, { direct: true })
		);
		const c = openDatabase(path).$client;
		for (const statement of COVERING) c.exec(statement);
		c.exec('analyze');
		c.close();
		const covering = firstAndWarm(path, (db) =>
			dashboardData(db, seeded.seasonId, filters, () => NOW, { direct: true })
		);
		if (KEPT_DB) {
			// The kept file is the app's: without the bench's indexes for its next run.
			const kept = openDatabase(path).$client;
			for (const index of ['bench_sale_cover', 'bench_line_cover', 'bench_ledger_cover'])
				kept.exec(`drop index if exists ${index}`);
			kept.close();
		}
		const ratioRollupsToBare = round(rollups.first / baseline.first);
		const ratioCoveringToBare = round(covering.first / baseline.first);
		console.log(
			[
				`  rollups (whole season):   first ${ms(rollups.first)}, warm ${ms(rollups.warm)}`,
				`  rollups (one team, 7 d):  first ${ms(oneTeam.first)}, warm ${ms(oneTeam.warm)}`,
				`  first load's queries:     ${Object.entries(firstParts)
					.map(([part, time]) => `${part} ${ms(time)}`)
					.join(', ')}`,
				`  direct (before rollups):  first ${ms(direct.first)}, warm ${ms(direct.warm)}`,
				`  direct + covering index:  first ${ms(covering.first)}, warm ${ms(covering.warm)}`,
				`  bare group-by-day:        first ${ms(baseline.first)}, warm ${ms(baseline.warm)}`,
				`  ratio to bare (first):    rollups ${ratioRollupsToBare}x, covering ${ratioCoveringToBare}x`
			].join('\n')
		);
		let http: Record<string, unknown> | string;
		try {
			http = QUICK
				? 'skipped (--quick)'
				: {
						atOnce: await timeHttp(path, null),
						afterAnotherPeriod: await timeHttp(path, '/dashboard?period=7d'),
						after3s: await timeHttp(path, null, 3_000),
						after3sAnotherPeriod: await timeHttp(path, '/dashboard?period=7d', 3_000)
					};
		} catch (error) {
			http = `failed: ${String(error).slice(0, 300)}`;
		}
		const row = {
			sales,
			rollups,
			rollupsFirstParts: firstParts,
			rollupsOneTeam7d: oneTeam,
			direct,
			coveringIndexes: covering,
			bare: baseline,
			ratioRollupsToBare,
			ratioCoveringToBare,
			http,
			load: loadavg().map(round)
		};
		results.push(row);
		console.log(
			`  HTTP: ${typeof http === 'string' ? http : JSON.stringify(http)}\n  load: ${row.load.join(' ')}`
		);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
const loadEnd = loadavg().map(round);
console.log(`\nload average at end: ${loadEnd.join(' ')}`);
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
const file = join(
	ROOT,
	`bench/results/dashboard-${new Date().toISOString().replace(/[:.]/g, '-')}.json`
);
writeFileSync(file, JSON.stringify({ loadStart, loadEnd, results }, null, 2));
console.log(`results: ${file}`);
