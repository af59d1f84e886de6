// npx tsx bench/import-store.ts [-- --sales 5000 --runs 2 --postgres-only]
// A CSV import through importSalesOn on both dialects (#20 step 3): a temp SQLite file and a
// throwaway PostgreSQL (tests/helpers/postgres.ts; PG_TEST_PORT), each with a live season of 200
// sellers in three teams, a phone and a case; `--sales` sales of one or two lines (every second
// with a case), committed in the default windows, rows read inline. In turn, `--runs` times.
// Prints rows per second and this process's CPU (on PostgreSQL the server's own CPU is not in it),
// and on PostgreSQL the statements sent per row. --postgres-only: PostgreSQL's runs alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startPostgres } from '../tests/helpers/postgres';
import { statementsDuring } from '../tests/helpers/pg-statements';
import { liveSeasonOn, phoneAndCaseOn } from '../tests/helpers/store-season';
import { closeStore, openStore, sqliteStore, type Store } from '../src/lib/server/db/store';
import { openDatabase } from '../src/lib/server/db';
import { importSalesOn } from '../src/lib/server/imports/sales';

const { values } = parseArgs({
	options: {
		sales: { type: 'string', default: '5000' },
		runs: { type: 'string', default: '2' },
		'postgres-only': { type: 'boolean', default: false }
	}
});
const SALES = Number(values.sales);
const DAY = 86_400_000;

/** The file: `sales` sales over the season's sellers, ids prefixed so that each run's are new. */
async function fileFor(store: Store, prefix: string): Promise<string> {
	const s = await liveSeasonOn(store, {
		size: 200,
		teams: ['A', 'B', 'C'],
		endsAt: Date.now() + 30 * DAY
	});
	await phoneAndCaseOn(store, s.seasonId);
	const at = new Date(Date.now() - 3_600_000).toISOString();
	const lines = ['externalId,sellerEmail,occurredAt,sku,quantity,unitPrice'];
	for (let i = 1; i <= SALES; i++) {
		const seller = s.people[i % s.people.length].email;
		lines.push(`${prefix}-${i},${seller},${at},PHONE,1,999`);
		if (i % 2 === 0) lines.push(`${prefix}-${i},${seller},${at},CASE,1,20`);
	}
	return lines.join('\n');
}

async function timeImport(name: string, store: Store, prefix: string): Promise<void> {
	const csv = await fileFor(store, prefix);
	const cpu = process.cpuUsage();
	const started = performance.now();
	let report!: Awaited<ReturnType<typeof importSalesOn>>;
	const sent = await statementsDuring({ all: /./ }, async () => {
		report = await importSalesOn(store, csv, { dryRun: false, actor: {}, parseThread: null });
	});
	const seconds = (performance.now() - started) / 1000;
	const used = process.cpuUsage(cpu);
	const perRow =
		store.dialect === 'postgres' ? `, ${(sent.all / report.rows).toFixed(2)} statements a row` : '';
	console.log(
		`${name}: ${report.rows} rows, ${report.sales.new} new sales in ${seconds.toFixed(2)} s: ` +
			`${Math.round(report.rows / seconds)} rows/s, this process's CPU ` +
			`${((used.user + used.system) / 1e6).toFixed(2)} s${perRow} (load ${loadavg()[0].toFixed(1)})`
	);
}

const pg = await startPostgres();
const postgres = await openStore(pg.url);
const dir = mkdtempSync(join(tmpdir(), 'honorboard-import-store-'));
const sqlite = sqliteStore(openDatabase(join(dir, 'bench.db')));
try {
	for (let run = 1; run <= Number(values.runs); run++) {
		if (!values['postgres-only']) await timeImport(`SQLite, run ${run}`, sqlite, `sqlite-${run}`);
		await timeImport(`PostgreSQL, run ${run}`, postgres, `postgres-${run}`);
	}
} finally {
	await closeStore(sqlite);
	await closeStore(postgres);
	await pg.stop();
	rmSync(dir, { recursive: true, force: true });
}
