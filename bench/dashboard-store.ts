// The dashboard's figures on SQLite since they are written once for both dialects (#20:
// dashboard/queries.ts and daily.ts yield their queries, run by `runSync` in the read thread and
// by `runOnStore` in a store's read), against the code of an older checkout that ran each query
// with Drizzle's `db.all(sql)` (`--old <worktree>`, e.g. `git worktree add --detach
// /work/wt-old a98d570b`). One file of `--sales` sales (bench/lib/seed-sales.ts, 1,000 people in
// 10 teams, 40 products, two campaigns), timed interleaved in one process: the whole season and
// one team over 7 days, each as the read thread computes it (`dashboardData`) and, for this
// checkout, through the store (`readDashboardData` on `sqliteStore`). Prints the median µs and
// CPU µs per dashboard.
// Run with `npx tsx bench/dashboard-store.ts [--old <worktree>] [--sales 50000] [--rounds 9]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '../src/lib/server/db';
import { sqliteStore } from '../src/lib/server/db/store';
import { dashboardData, readDashboardData } from '../src/lib/server/dashboard/figures';
import type { DashboardFilters } from '../src/lib/server/dashboard/filters';
import { option } from './lib/args';
import { timeInterleaved, type Variant } from './lib/interleaved';
import { NOW, seedSales } from './lib/seed-sales';

const SALES = option('sales', 50_000);
const ROUNDS = option('rounds', 9);
const N = option('n', 5);
const at = process.argv.indexOf('--old');
const OLD = at === -1 ? null : resolve(process.argv[at + 1]);

const dir = mkdtempSync(join(tmpdir(), 'honorboard-bench-dashboard-store-'));
try {
	const path = join(dir, 'bench.db');
	const seeded = await seedSales(path, SALES);
	const db = openDatabase(path);
	const store = sqliteStore(db);
	const clock = () => NOW;
	const views: [string, DashboardFilters][] = [
		['season', { teamId: null, period: 'season' }],
		['team 7d', { teamId: seeded.teamIds[3], period: '7d' }]
	];
	const old = OLD
		? ((await import(join(OLD, 'src/lib/server/dashboard/figures.ts'))) as {
				dashboardData: typeof dashboardData;
			})
		: null;
	const variants: Variant[] = [];
	const repeat = (run: () => unknown) => async () => {
		for (let i = 0; i < N; i++) await run();
	};
	for (const [name, filters] of views) {
		if (old)
			variants.push({
				name: `${name}: older dashboardData`,
				ops: N,
				run: repeat(() => old.dashboardData(db, seeded.seasonId, filters, clock))
			});
		variants.push(
			{
				name: `${name}: dashboardData`,
				ops: N,
				run: repeat(() => dashboardData(db, seeded.seasonId, filters, clock))
			},
			{
				name: `${name}: readDashboardData`,
				ops: N,
				run: repeat(() => readDashboardData(store, seeded.seasonId, filters, clock))
			}
		);
	}
	console.log(`${SALES.toLocaleString('en')} sales; load average ${loadavg().join(' ')}`);
	await timeInterleaved(variants, ROUNDS);
	console.log(`load average at end ${loadavg().join(' ')}`);
	db.$client.close();
} finally {
	rmSync(dir, { recursive: true, force: true });
}
