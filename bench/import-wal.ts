// npx tsx bench/import-wal.ts [sales 20000] [sales per window 180]
// Which B-trees an import's window commits write: the bench's people, products and rules
// (bench/import.ts: 1,000 people, 40 products, two rules), a file of `sales` sales imported in
// windows of a fixed size (an import's windows sized to 20 ms hold ~180 sales on a quiet
// machine), no checkpoint meanwhile, then each WAL frame's page mapped to its table or index
// (dbstat). A window's commit costs what it writes (a frame per page it changed, whatever the
// rows in it), so this says where fewer pages per window could come from. Also prints the
// import's CPU time (rows read inline, on this thread). See docs/benchmarks.md, hb-import8.
import { readFileSync } from 'node:fs';
import { tempDb } from '../tests/helpers/db';
import { importSales } from '../src/lib/server/imports/sales';
import { guessMapping } from '../src/lib/imports/mapping';
import { IMPORT_HEADER, importLine, importRows, seedImportSeason } from './lib/import-season';

const SALES = Number(process.argv[2] ?? 20_000);
const WINDOW = Number(process.argv[3] ?? 180);
const { db, path, cleanup } = tempDb();
const client = db.$client;
// The file as bench/import.ts writes it (1,000 people): its first `SALES` sales.
const bench = await seedImportSeason(db, 1000);
const lines = [IMPORT_HEADER];
for (const row of importRows(bench, Infinity)) {
	if (Number(row[0].slice('bench-'.length)) > SALES) break;
	lines.push(importLine(row));
}

// Every frame stays in the WAL: an empty one now, no checkpoint until the end.
client.pragma('wal_autocheckpoint = 0');
client.pragma('wal_checkpoint(TRUNCATE)');
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const report = await importSales(db, lines.join('\n'), {
	dryRun: false,
	actor: {},
	batchSize: WINDOW,
	windowMs: null,
	parseThread: null,
	mapping: guessMapping(IMPORT_HEADER.split(';'))
});
const cpu = process.cpuUsage(cpu0);
console.log(
	`${SALES.toLocaleString('en')} sales (${report.rows.toLocaleString('en')} rows) in windows of ${WINDOW}: ${((performance.now() - t0) / 1000).toFixed(1)} s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s (system ${(cpu.system / 1e6).toFixed(2)} s); new ${report.sales.new}`
);

// The WAL: a 32-byte header, then frames of a 24-byte header (page number first) and a page.
const wal = readFileSync(`${path}-wal`);
const pageSize = wal.readUInt32BE(8);
const framesOf = new Map<number, number>();
let frames = 0;
let commits = 0;
for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
	const page = wal.readUInt32BE(at);
	// A commit's last frame holds the database's size in pages after the commit; others 0.
	if (wal.readUInt32BE(at + 4) !== 0) commits += 1;
	framesOf.set(page, (framesOf.get(page) ?? 0) + 1);
	frames += 1;
}
const owner = new Map<number, string>();
for (const r of client.prepare('SELECT name, pageno FROM dbstat').all() as {
	name: string;
	pageno: number;
}[])
	owner.set(r.pageno, r.name);
const byTree = new Map<string, number>();
for (const [page, n] of framesOf) {
	const name = owner.get(page) ?? '(free)';
	byTree.set(name, (byTree.get(name) ?? 0) + n);
}
console.log(
	`${frames.toLocaleString('en')} frames in ${commits} commits: ${(frames / commits).toFixed(0)} pages a commit (the import's windows and its audit entry)`
);
console.log('| B-tree | frames | per commit | share |');
console.log('| --- | ---: | ---: | ---: |');
for (const [name, n] of [...byTree].sort((a, b) => b[1] - a[1]).slice(0, 20))
	console.log(
		`| ${name} | ${n.toLocaleString('en')} | ${(n / commits).toFixed(1)} | ${((100 * n) / frames).toFixed(1)} % |`
	);
const size = client
	.prepare(
		`SELECT name, count(*) AS pages, sum(payload) AS payload FROM dbstat
		WHERE name IN ('sale', 'ledger_entry') GROUP BY name`
	)
	.all() as { name: string; pages: number; payload: number }[];
for (const s of size)
	console.log(
		`${s.name}: ${s.pages.toLocaleString('en')} pages, ${Math.round(s.payload / SALES)} bytes of payload a sale`
	);
cleanup();
