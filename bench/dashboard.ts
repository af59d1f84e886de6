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
// DASHBOARD_BENCH_PORT). Prints the machine's load at start and end and writes
// bench/results/dashboard-<time>.json.
// Run with `npm run bench:dashboard [-- --quick] [-- --sizes 10000,50000]`.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../src/lib/server/db';
import { dashboardData } from '../src/lib/server/dashboard/figures';
import type { DashboardFilters } from '../src/lib/server/dashboard/filters';
import { hashPassword } from '../src/lib/server/auth/password';
import {
	missingBuild,
	snapshotBuild,
	startBenchServer,
	ROOT,
	type BenchServer
} from './lib/server';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const sizesArg = args[args.indexOf('--sizes') + 1];
const SIZES = args.includes('--sizes')
	? sizesArg.split(',').map(Number)
	: QUICK
		? [10_000, 50_000]
		: [10_000, 50_000, 200_000];
const PORT = Number(process.env.DASHBOARD_BENCH_PORT ?? 4542);
const PEOPLE = 1_000;
const TEAMS = 10;
const RUNS = 5;
const DAY = 86_400_000;
const NOW = Date.now();
const START = NOW - 45 * DAY;
const END = NOW + 15 * DAY;

function mulberry32(seed: number) {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
}
let random = mulberry32(6);
const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));

async function seed(path: string, SALES: number) {
	random = mulberry32(6);
	const db = openDatabase(path);
	const c = db.$client;
	const t0 = performance.now();
	const theme = JSON.stringify({
		primary: '#2563eb',
		accent: '#f59e0b',
		emoji: '🏆',
		tagline: 'Bench'
	});
	const seasonId = Number(
		c
			.prepare(
				`insert into season (name, theme, time_zone, starts_at, ends_at, status, target)
			values ('Bench season', ?, 'Europe/Warsaw', ?, ?, 'live', ?)`
			)
			.run(theme, START, END, SALES * 60).lastInsertRowid
	);
	const teamIds = Array.from({ length: TEAMS }, (_, i) =>
		Number(
			c
				.prepare(`insert into team (season_id, name, color) values (?, ?, ?)`)
				.run(seasonId, `Team ${i + 1}`, `hsl(${i * 36} 70% 45%)`).lastInsertRowid
		)
	);
	const hash = await hashPassword('bench-password');
	c.prepare(
		`insert into user (email, display_name, role, password_hash) values ('exec@bench.test', 'Exec', 'executive', ?)`
	).run(hash);
	const people: { id: number; teamId: number }[] = [];
	c.transaction(() => {
		const addUser = c.prepare(
			`insert into user (email, display_name, password_hash) values (?, ?, 'x')`
		);
		const addMember = c.prepare(
			`insert into season_member (season_id, user_id, team_id, joined_at) values (?, ?, ?, ?)`
		);
		for (let i = 0; i < PEOPLE; i++) {
			const id = Number(addUser.run(`rep${i}@bench.test`, `Rep ${i}`).lastInsertRowid);
			const teamId = teamIds[i % TEAMS];
			addMember.run(seasonId, id, teamId, START);
			people.push({ id, teamId });
		}
	})();
	const products = Array.from({ length: 40 }, (_, i) => ({
		id: Number(
			c
				.prepare(
					`insert into product (season_id, sku, name, category, points, price) values (?, ?, ?, ?, ?, ?)`
				)
				.run(seasonId, `SKU-${i}`, `Product ${i}`, `Cat ${i % 5}`, int(5, 200), int(500, 150_000))
				.lastInsertRowid
		),
		points: 0,
		price: 0
	}));
	for (const p of products)
		Object.assign(p, c.prepare(`select points, price from product where id = ?`).get(p.id));
	const rule = c.prepare(
		`insert into rule (season_id, name, starts_at, ends_at, target, effect) values (?, ?, ?, ?, ?, ?)`
	);
	rule.run(
		seasonId,
		'Double Cat 1',
		NOW - 20 * DAY,
		NOW - 13 * DAY,
		JSON.stringify({ kind: 'category', category: 'Cat 1' }),
		JSON.stringify({ kind: 'multiplier', factor: 2 })
	);
	rule.run(
		seasonId,
		'SKU-3 boost',
		NOW - 3 * DAY,
		NOW + 4 * DAY,
		JSON.stringify({ kind: 'sku', sku: 'SKU-3' }),
		JSON.stringify({ kind: 'multiplier', factor: 3 })
	);

	const sale =
		c.prepare(`insert into sale (season_id, source, external_id, seller_id, team_id, occurred_at, amount, status, points, created_at)
		values (?, 'import', ?, ?, ?, ?, ?, ?, ?, ?)`);
	const line = c.prepare(
		`insert into sale_line (sale_id, product_id, quantity, unit_price, points) values (?, ?, ?, ?, ?)`
	);
	const entry =
		c.prepare(`insert into ledger_entry (season_id, user_id, team_id, sale_id, kind, points, status, created_at)
		values (?, ?, ?, ?, ?, ?, ?, ?)`);
	const totals = new Map<string, { confirmed: number; provisional: number; sales: number }>();
	const add = (key: string, status: string, points: number, sales: number) => {
		const t = totals.get(key) ?? { confirmed: 0, provisional: 0, sales: 0 };
		if (status === 'confirmed') t.confirmed += points;
		if (status === 'provisional') t.provisional += points;
		t.sales += sales;
		totals.set(key, t);
	};
	// A sixth of the people never sell, so that the "not sold yet" list is not empty.
	const sellers = people.filter((_, i) => i % 6 !== 5);
	const BATCH = 20_000;
	for (let start = 0; start < SALES; start += BATCH) {
		c.transaction(() => {
			for (let n = start; n < Math.min(SALES, start + BATCH); n++) {
				const seller = sellers[Math.floor(random() * sellers.length)];
				const occurredAt = START + Math.floor(random() * (NOW - START));
				const roll = random();
				const status =
					roll < 0.7 ? 'approved' : roll < 0.95 ? 'pending' : roll < 0.98 ? 'rejected' : 'reversed';
				const lines = Array.from({ length: int(1, 3) }, () => {
					const p = products[Math.floor(random() * products.length)];
					const quantity = int(1, 3);
					return { p, quantity, points: p.points * quantity };
				});
				const points = lines.reduce((sum, l) => sum + l.points, 0);
				const amount = lines.reduce((sum, l) => sum + l.p.price * l.quantity, 0);
				const saleId = Number(
					sale.run(
						seasonId,
						`b${n}`,
						seller.id,
						seller.teamId,
						occurredAt,
						amount,
						status,
						points,
						occurredAt
					).lastInsertRowid
				);
				for (const l of lines) line.run(saleId, l.p.id, l.quantity, l.p.price, l.points);
				const ledgerStatus =
					status === 'approved' || status === 'reversed' ? 'confirmed' : 'provisional';
				entry.run(
					seasonId,
					seller.id,
					seller.teamId,
					saleId,
					'sale',
					points,
					ledgerStatus,
					occurredAt
				);
				add(`user:${seller.id}`, ledgerStatus, points, 1);
				add(`team:${seller.teamId}`, ledgerStatus, points, 1);
				if (status === 'rejected' || status === 'reversed') {
					const later = Math.min(NOW, occurredAt + DAY);
					entry.run(
						seasonId,
						seller.id,
						seller.teamId,
						saleId,
						'reversal',
						-points,
						ledgerStatus,
						later
					);
					add(`user:${seller.id}`, ledgerStatus, -points, -1);
					add(`team:${seller.teamId}`, ledgerStatus, -points, -1);
				}
			}
		})();
	}
	const standing =
		c.prepare(`insert into standing (season_id, subject_type, subject_id, confirmed_points, provisional_points, sales_count, reached_at, updated_at)
		values (?, ?, ?, ?, ?, ?, ?, ?)`);
	c.transaction(() => {
		for (const [key, t] of totals) {
			const [type, id] = key.split(':');
			standing.run(seasonId, type, Number(id), t.confirmed, t.provisional, t.sales, NOW, NOW);
		}
	})();
	c.pragma('wal_checkpoint(TRUNCATE)');
	c.close();
	return { seasonId, teamIds, seconds: (performance.now() - t0) / 1000 };
}

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

const COVERING = [
	`create index if not exists bench_sale_cover on sale (season_id, status, occurred_at, team_id, amount)`,
	`create index if not exists bench_line_cover on sale_line (sale_id, product_id, quantity, points)`,
	`create index if not exists bench_ledger_cover on ledger_entry (season_id, status, sale_id, team_id, points, created_at)`
];

async function timeHttp(path: string): Promise<Record<string, unknown> | string> {
	const missing = missingBuild();
	if (missing) return `skipped: ${missing}`;
	const build = snapshotBuild();
	let server: BenchServer | undefined;
	try {
		server = await startBenchServer(path, { entry: build.entry, port: PORT });
		const login = await fetch(`${server.url}/login`, {
			method: 'POST',
			body: new URLSearchParams({ email: 'exec@bench.test', password: 'bench-password' }),
			headers: { origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
			redirect: 'manual'
		});
		const cookie = login.headers
			.getSetCookie()
			.map((c) => c.split(';')[0])
			.find((c) => c.startsWith('session='));
		if (!cookie) return `skipped: sign-in failed (${login.status})`;
		const get = async (url: string) => {
			const t = performance.now();
			const response = await fetch(server!.url + url, { headers: { cookie } });
			const body = await response.text();
			if (response.status !== 200)
				throw new Error(`GET ${url}: ${response.status} ${body.slice(0, 200)}`);
			return { time: performance.now() - t, bytes: body.length };
		};
		const result: Record<string, unknown> = {};
		for (const url of ['/dashboard', '/dashboard/data.csv']) {
			const first = await get(url);
			const warm: number[] = [];
			for (let i = 0; i < RUNS; i++) warm.push((await get(url)).time);
			result[url] = {
				first: round(first.time),
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
for (const sales of SIZES) {
	const dir = mkdtempSync(join(tmpdir(), 'honorboard-bench-dashboard-'));
	try {
		const path = join(dir, 'bench.db');
		const seeded = await seed(path, sales);
		console.log(
			`\n${sales.toLocaleString('en')} sales, ${PEOPLE} people, ${TEAMS} teams (seeded in ${seeded.seconds.toFixed(1)} s)`
		);
		const rollups = firstAndWarm(path, (db) =>
			dashboardData(db, seeded.seasonId, filters, () => NOW)
		);
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
		const http = QUICK ? 'skipped (--quick)' : await timeHttp(path);
		const row = {
			sales,
			rollups,
			rollupsOneTeam7d: oneTeam,
			direct,
			coveringIndexes: covering,
			bare: baseline,
			ratioRollupsToBare: round(rollups.first / baseline.first),
			ratioCoveringToBare: round(covering.first / baseline.first),
			http,
			load: loadavg().map(round)
		};
		results.push(row);
		console.log(
			[
				`  rollups (whole season):   first ${ms(rollups.first)}, warm ${ms(rollups.warm)}`,
				`  rollups (one team, 7 d):  first ${ms(oneTeam.first)}, warm ${ms(oneTeam.warm)}`,
				`  direct (before rollups):  first ${ms(direct.first)}, warm ${ms(direct.warm)}`,
				`  direct + covering index:  first ${ms(covering.first)}, warm ${ms(covering.warm)}`,
				`  bare group-by-day:        first ${ms(baseline.first)}, warm ${ms(baseline.warm)}`,
				`  ratio to bare (first):    rollups ${row.ratioRollupsToBare}x, covering ${row.ratioCoveringToBare}x`,
				`  HTTP: ${typeof http === 'string' ? http : JSON.stringify(http)}`,
				`  load: ${row.load.join(' ')}`
			].join('\n')
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
