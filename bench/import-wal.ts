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
import { makeMember, makeProduct, makeSeason, makeTeam } from '../tests/helpers/factories';
import { importSales } from '../src/lib/server/imports/sales';
import { guessMapping } from '../src/lib/imports/mapping';
import { rule } from '../src/lib/server/db/schema';

const SALES = Number(process.argv[2] ?? 20_000);
const WINDOW = Number(process.argv[3] ?? 180);
const { db, path, cleanup } = tempDb();
const client = db.$client;
const DAY = 86_400_000;
const now = Date.now();
const season = makeSeason(db, { startsAt: now - 80 * DAY, endsAt: now + 10 * DAY });
const teams = Array.from({ length: 10 }, (_, i) => makeTeam(db, season.id, `Team ${i + 1}`));
const people: { email: string }[] = [];
for (let i = 0; i < 1000; i++) people.push(await makeMember(db, season.id, teams[i % 10].id));
const skus = Array.from(
	{ length: 40 },
	(_, i) =>
		makeProduct(db, season.id, {
			sku: `SKU-${i}`,
			category: i < 10 ? 'Accessories' : 'Phones',
			points: 5 + i
		}).sku
);
db.insert(rule)
	.values([
		{
			seasonId: season.id,
			name: 'Cross-sell',
			target: { kind: 'category', category: 'Phones' },
			effect: { kind: 'cross_sell_multiplier', withCategory: 'Accessories', factor: 3 }
		},
		{
			seasonId: season.id,
			name: 'First sale',
			target: { kind: 'any' },
			effect: { kind: 'first_sale_bonus', points: 10 },
			dailyCap: 10
		}
	])
	.run();

// The file as bench/import.ts writes it: one to three lines a sale, out of order over 79 days.
const pad = (n: number) => String(n).padStart(2, '0');
const euTime = (ms: number) => {
	const d = new Date(ms);
	return `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
};
const HEADER = 'Ordernummer;E-mail;Datum;Artikelnummer;Aantal;Prijs';
const lines = [HEADER];
for (let sale = 1; sale <= SALES; sale++) {
	const seller = people[(sale * 7919) % 1000].email;
	const atMs = Math.floor((now - ((sale * 104729) % (79 * DAY))) / 60_000) * 60_000;
	for (let l = 0; l < 1 + (sale % 3); l++)
		lines.push(
			`bench-${sale};${seller};${euTime(atMs)};${skus[(sale + l * 13) % 40]};${1 + (sale % 2)};${49 + (sale % 900)},00`
		);
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
	mapping: guessMapping(HEADER.split(';'))
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
