// The sellers' read ahead (scoring/sale-lookups.ts sellersAheadOnPg, a lone sale's first statement
// on PostgreSQL, sent with the write's begin) on a big season: a temp SQLite file of `--sales`
// sales (bench/lib/seed-sales.ts) copied into a throwaway PostgreSQL with the built CLI's
// `migrate-to` (needs `npm run build`, or `--cli` another checkout's built cli.js of the same
// schema; PG_TEST_PORT), with a `person_day` row per seller and day and badges and awards
// (bench/lib/seed-pg-extras.ts), analysed, then one API sale recorded to
// capture the statement as sent (its values written in), and that statement run under
// `EXPLAIN (ANALYZE, BUFFERS)` for a few sellers: each part should be an index scan, not a scan of
// the season's sales or ledger. Prints the plan's scans and its planning and execution times as a
// literal string (planned each time) and as EXECUTE of the prepared statement (db/store.ts
// openingQuery: planned for its first runs, then a generic plan kept), and the generic plan
// itself (`plan_cache_mode = force_generic_plan`): every big table should be read by an index.
// With --users N, N more people (no season's members) in the user table, as an organisation of
// that size would have.
//   npx tsx bench/pg-read-ahead-plan.ts [--sales 200000] [--sellers 3] [--full] [--cli path]
//     [--users 0]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, closeStore } from '../src/lib/server/db/store';
import { recordSaleGrouped } from '../src/lib/server/scoring/group-commit';
import { startPostgres } from '../tests/helpers/postgres';
import { flag, option } from './lib/args';
import { seedSales } from './lib/seed-sales';
import { seedDaysAndAwardsOnPg } from './lib/seed-pg-extras';
import { ROOT } from './lib/server';

process.env.LOG_LEVEL ??= 'warn';
const SALES = option('sales', 200_000);
const SELLERS = option('sellers', 3);
const FULL = flag('full');
const USERS = option('users', 0);
const CLI_ARG = process.argv.indexOf('--cli');
const CLI = CLI_ARG > 0 ? process.argv[CLI_ARG + 1] : join(ROOT, 'build/cli.js');

const dir = mkdtempSync(join(tmpdir(), 'honorboard-bench-read-ahead-'));
const server = await startPostgres();
try {
	console.log(`load average at start: ${loadavg().join(' ')}`);
	const path = join(dir, 'bench.db');
	await seedSales(path, SALES);
	const copied = spawnSync(process.execPath, [CLI, 'migrate-to', '--to', server.url], {
		env: { ...process.env, DATABASE_URL: path },
		encoding: 'utf8'
	});
	if (copied.status !== 0) throw new Error(`migrate-to failed: ${copied.stderr}`);
	const store = await openStore(server.url);
	if (store.dialect !== 'postgres') throw new Error('PostgreSQL');
	if (USERS > 0)
		await store.pool.query(
			`insert into "user" (email, display_name, password_hash)
			select 'more' || n || '@bench.test', 'More ' || n, 'x' from generate_series(1, $1) n`,
			[USERS]
		);
	console.log(`added on PostgreSQL: ${JSON.stringify(await seedDaysAndAwardsOnPg(store.pool))}`);
	const { rows: sellers } = await store.pool.query<{ email: string }>(
		`select u.email from "user" u join season_member m on m.user_id = u.id
		order by u.id limit ${SELLERS}`
	);
	const [{ sku }] = (await store.pool.query<{ sku: string }>('select sku from product limit 1'))
		.rows;
	// The read ahead as pg prepares it on a connection (its first write there): text and values.
	const sent: { text: string; values: unknown[] }[] = [];
	const query = pg.Client.prototype.query;
	pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
		const first = args[0] as { name?: string; text?: string };
		if (first?.name === 'sale_sellers_ahead_pg')
			sent.push({ text: first.text ?? '', values: args[1] as unknown[] });
		return (query as (...a: unknown[]) => unknown).apply(this, args);
	} as typeof query;
	for (const [i, { email }] of sellers.entries())
		await recordSaleGrouped(store, {
			source: 'api',
			externalId: `plan-${i}`,
			seller: { email },
			occurredAt: Date.now(),
			lines: [{ sku, quantity: 1 }]
		});
	pg.Client.prototype.query = query;
	const [{ text }] = sent;
	const literal = (v: unknown) => {
		const value = (
			pg as unknown as { utils: { prepareValue: (v: unknown) => unknown } }
		).utils.prepareValue(v);
		return value === null ? 'null' : pg.escapeLiteral(String(value));
	};
	const client = await store.pool.connect();
	const explain = async (statement: string) => {
		await client.query('begin');
		const { rows } = await client.query<{ 'QUERY PLAN': string }>(
			`explain (analyze, buffers) ${statement}`
		);
		await client.query('rollback');
		return rows.map((r) => r['QUERY PLAN']);
	};
	const show = (plan: string[]) => {
		if (FULL) for (const line of plan) console.log(`  ${line}`);
		else
			for (const line of plan.filter((l) => /Scan|Time:/.test(l))) console.log(`  ${line.trim()}`);
		const whole = plan.filter((line) => /Seq Scan|Bitmap Heap Scan/.test(line));
		console.log(`  seq or bitmap heap scans: ${whole.length}`);
	};
	const times = (plan: string[]) => plan.filter((l) => /Time:/.test(l)).map((l) => l.trim());
	try {
		await client.query(`prepare read_ahead as ${text}`);
		for (const [i, { values }] of sent.entries()) {
			const args = values.map(literal).join(', ');
			console.log(`\nseller ${i + 1} (${sellers[i].email}), ${SALES} sales, as a literal string:`);
			const inline = text.replace(/\$(\d+)/g, (_, n: string) => literal(values[Number(n) - 1]));
			show(await explain(inline));
			console.log(`  as EXECUTE of the prepared statement, 8 runs (PostgreSQL plans the first 5):`);
			for (let run = 0; run < 8; run++)
				console.log(`    ${times(await explain(`execute read_ahead(${args})`)).join(', ')}`);
			console.log(`  its generic plan (plan_cache_mode = force_generic_plan):`);
			await client.query('set plan_cache_mode = force_generic_plan');
			show(await explain(`execute read_ahead(${args})`));
			const generic: string[] = [];
			for (let run = 0; run < 4; run++)
				generic.push(times(await explain(`execute read_ahead(${args})`)).join(', '));
			console.log(`    then ${generic.join('; ')}`);
			await client.query('reset plan_cache_mode');
		}
	} finally {
		client.release();
	}
	console.log(`load average at end: ${loadavg().join(' ')}`);
	await closeStore(store);
} finally {
	await server.stop();
	rmSync(dir, { recursive: true, force: true });
}
