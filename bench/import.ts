// npm run bench:import [-- --rows 100000 --people 1000 --batch 500]
// Imports a generated CSV (one line per sale line) into a fresh temporary database through the
// same service the UI and the API use, then re-imports it, and prints rows per second and the
// peak RSS. Results go to bench/results/import-<time>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { tempDb } from '../tests/helpers/db';
import { makeMember, makeProduct, makeSeason, makeTeam } from '../tests/helpers/factories';
import { rule } from '../src/lib/server/db/schema';
import { importSales } from '../src/lib/server/imports/sales';

const { values } = parseArgs({
	options: {
		rows: { type: 'string', default: '100000' },
		people: { type: 'string', default: '1000' },
		batch: { type: 'string', default: '500' }
	}
});
const ROWS = Number(values.rows);
const PEOPLE = Number(values.people);
const BATCH = Number(values.batch);

let peakRss = 0;
const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
const sampler = setInterval(sample, 50);

const { db, cleanup } = tempDb();
const DAY = 24 * 60 * 60 * 1000;
const now = Date.now();
const season = makeSeason(db, { startsAt: now - 80 * DAY, endsAt: now + 10 * DAY });
const teams = Array.from({ length: 10 }, (_, i) => makeTeam(db, season.id, `Team ${i + 1}`));
const people = [];
for (let i = 0; i < PEOPLE; i++)
	people.push(await makeMember(db, season.id, teams[i % teams.length].id));
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

const lines = ['externalId,sellerEmail,occurredAt,sku,quantity,unitPrice'];
let sale = 0;
while (lines.length <= ROWS) {
	sale += 1;
	const seller = people[(sale * 7919) % PEOPLE].email;
	const at = new Date(now - ((sale * 104729) % (79 * DAY))).toISOString();
	const count = 1 + (sale % 3);
	for (let l = 0; l < count && lines.length <= ROWS; l++) {
		lines.push(
			`bench-${sale},${seller},${at},${skus[(sale + l * 13) % skus.length]},${1 + (sale % 2)},${(49 + (sale % 900)).toFixed(2)}`
		);
	}
}
const csv = lines.join('\n');
console.log(
	`CSV: ${ROWS.toLocaleString('en')} rows, ${sale.toLocaleString('en')} sales, ${(csv.length / 1e6).toFixed(1)} MB; ${PEOPLE} people, ${skus.length} products, 2 rules`
);

async function run(label: string, dryRun: boolean) {
	const t0 = performance.now();
	const report = await importSales(db, csv, { dryRun, actor: {}, batchSize: BATCH });
	const seconds = (performance.now() - t0) / 1000;
	sample();
	console.log(
		`${label.padEnd(10)} ${seconds.toFixed(1).padStart(6)} s  ${Math.round(ROWS / seconds)
			.toLocaleString('en')
			.padStart(
				7
			)} rows/s  new ${report.sales.new}, already ${report.sales.duplicate}, rejected rows ${report.rejected}`
	);
	return {
		label,
		seconds,
		rowsPerSecond: Math.round(ROWS / seconds),
		sales: report.sales,
		rejected: report.rejected
	};
}

const results = [
	await run('dry run', true),
	await run('commit', false),
	await run('re-import', false)
];
clearInterval(sampler);
console.log(
	`peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MB (Node ${process.version}, batch ${BATCH})`
);
mkdirSync('bench/results', { recursive: true });
const file = `bench/results/import-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
writeFileSync(
	file,
	JSON.stringify(
		{
			rows: ROWS,
			sales: sale,
			people: PEOPLE,
			batch: BATCH,
			results,
			peakRssMb: Math.round(peakRss / 1024 / 1024),
			node: process.version
		},
		null,
		2
	)
);
console.log(`wrote ${file}`);
cleanup();
