// The dashboard's figures on PostgreSQL against SQLite, on the same data: a temp SQLite file of
// `--sales` sales (bench/lib/seed-sales.ts) copied into a throwaway PostgreSQL with the built
// CLI's `migrate-to` (tests/helpers/postgres.ts; needs `npm run build` and PG_TEST_PORT free),
// then `readDashboardData` through each store, the whole season and one team over 7 days: the
// figures compared, the first read and the median of the next ones timed (wall, and the CPU of
// this process: on PostgreSQL the server's own work is not in it). With `--analyze` the copy is
// analysed first (migrate-to does not: a fresh copy has no planner statistics).
// Run with `npx tsx bench/dashboard-pg.ts [--sales 50000] [--analyze]`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../src/lib/server/db';
import { closeStore, openStore, sqliteStore, type Store } from '../src/lib/server/db/store';
import { readDashboardData } from '../src/lib/server/dashboard/figures';
import type { DashboardFilters } from '../src/lib/server/dashboard/filters';
import { startPostgres } from '../tests/helpers/postgres';
import { flag, option } from './lib/args';
import { NOW, seedSales } from './lib/seed-sales';
import { ROOT } from './lib/server';

const SALES = option('sales', 50_000);
const RUNS = 8;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

const dir = mkdtempSync(join(tmpdir(), 'honorboard-bench-dashboard-pg-'));
const pg = await startPostgres();
try {
	console.log(`load average at start: ${loadavg().join(' ')}`);
	const path = join(dir, 'bench.db');
	const seeded = await seedSales(path, SALES);
	const copied = spawnSync(
		process.execPath,
		[join(ROOT, 'build/cli.js'), 'migrate-to', '--to', pg.url],
		{ env: { ...process.env, DATABASE_URL: path }, encoding: 'utf8' }
	);
	if (copied.status !== 0) throw new Error(`migrate-to failed: ${copied.stderr}`);
	const postgres = await openStore(pg.url);
	if (flag('analyze') && postgres.dialect === 'postgres') await postgres.pool.query('analyze');
	const sqlite = sqliteStore(openDatabase(path));
	const views: [string, DashboardFilters][] = [
		['season', { teamId: null, period: 'season' }],
		['one team, 7 d', { teamId: seeded.teamIds[3], period: '7d' }]
	];
	const time = async (store: Store, filters: DashboardFilters) => {
		const wall: number[] = [];
		const cpu: number[] = [];
		for (let i = 0; i < RUNS; i++) {
			const cpuStart = process.cpuUsage();
			const start = performance.now();
			await readDashboardData(store, seeded.seasonId, filters, () => NOW);
			wall.push(performance.now() - start);
			const used = process.cpuUsage(cpuStart);
			cpu.push((used.user + used.system) / 1000);
		}
		const ms = (value: number) => `${value.toFixed(1)} ms`;
		return `first ${ms(wall[0])}, then ${ms(median(wall.slice(1)))} wall, ${ms(median(cpu.slice(1)))} CPU here`;
	};
	console.log(`${SALES.toLocaleString('en')} sales${flag('analyze') ? ', analysed' : ''}`);
	for (const [name, filters] of views) {
		console.log(name);
		console.log(`  postgres: ${await time(postgres, filters)}`);
		console.log(`  sqlite:   ${await time(sqlite, filters)}`);
		const onPostgres = await readDashboardData(postgres, seeded.seasonId, filters, () => NOW);
		const onSqlite = await readDashboardData(sqlite, seeded.seasonId, filters, () => NOW);
		console.log(`  the same figures: ${JSON.stringify(onPostgres) === JSON.stringify(onSqlite)}`);
	}
	await closeStore(postgres);
	await closeStore(sqlite);
	console.log(`load average at end: ${loadavg().join(' ')}`);
} finally {
	await pg.stop();
	rmSync(dir, { recursive: true, force: true });
}
