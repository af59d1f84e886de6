// npx tsx bench/import-writes.ts ['<SQL>|||<SQL>…']
// What an import's rows cost SQLite alone, with a schema change tried first: on the real migrated
// schema (1,000 people, 40 products), 50,000 sales with two lines each and their ledger entries
// written as an import's window writes them (multi-row INSERTs of 500 sales, one transaction a
// window), after running the given statements (e.g. 'DROP INDEX sale_season_amount_idx' or
// 'DROP TRIGGER dashboard_line_insert'). Prints the CPU time of the writes. Nothing else of the
// import (scoring, standings, badge facts) runs, so a change's share of these writes shows
// without the noise of the whole import (bench/import.ts). See docs/benchmarks.md, hb-import6.
import { tempDb } from '../tests/helpers/db';
import { makeMember, makeProduct, makeSeason, makeTeam } from '../tests/helpers/factories';

const change = process.argv[2] ?? '';
const { db, cleanup } = tempDb();
const client = db.$client;
const DAY = 86_400_000;
const now = Date.now();
const season = makeSeason(db, { startsAt: now - 80 * DAY, endsAt: now + 10 * DAY });
const teams = Array.from({ length: 10 }, (_, i) => makeTeam(db, season.id, `Team ${i}`));
const people: number[] = [];
for (let i = 0; i < 1000; i++) people.push((await makeMember(db, season.id, teams[i % 10].id)).id);
const products = Array.from(
	{ length: 40 },
	(_, i) => makeProduct(db, season.id, { sku: `SKU-${i}`, points: 5 }).id
);
// Statements separated by '|||' (a trigger's body has semicolons of its own).
for (const statement of change.split('|||').filter(Boolean)) client.exec(statement);

const breakdown = JSON.stringify({
	lines: [{ productId: products[0], quantity: 1, points: 10 }],
	items: [{ kind: 'base', points: 10 }]
});
const WINDOW = 500;
const SALES = 50_000;
const insert = (table: string, columns: string[], rows: number) =>
	client.prepare(
		`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array(rows)
			.fill(`(${columns.map(() => '?').join(', ')})`)
			.join(', ')}`
	);
const sales = insert(
	'sale',
	[
		'id',
		'season_id',
		'source',
		'external_id',
		'seller_id',
		'team_id',
		'occurred_at',
		'amount',
		'customer_ref',
		'status',
		'points',
		'flag_reason',
		'breakdown',
		'created_by_id',
		'created_at'
	],
	WINDOW
);
const lines = insert(
	'sale_line',
	['id', 'sale_id', 'product_id', 'quantity', 'unit_price', 'points'],
	2 * WINDOW
);
const entries = insert(
	'ledger_entry',
	[
		'id',
		'season_id',
		'user_id',
		'team_id',
		'sale_id',
		'award_id',
		'activity_id',
		'kind',
		'points',
		'status',
		'breakdown',
		'reason',
		'created_by_id',
		'created_at'
	],
	WINDOW
);

const cpu0 = process.cpuUsage();
let lineId = 1;
for (let window = 0; window < SALES / WINDOW; window++) {
	const saleValues: unknown[] = [];
	const lineValues: unknown[] = [];
	const entryValues: unknown[] = [];
	for (let k = 0; k < WINDOW; k++) {
		// Sellers and times spread as bench/import.ts spreads them.
		const id = window * WINDOW + k + 1;
		const person = (id * 7919) % people.length;
		const at = now - ((id * 104729) % (79 * DAY));
		const team = teams[person % teams.length].id;
		const amount = 4900 + (id % 900) * 100;
		saleValues.push(
			id,
			season.id,
			'import',
			`bench-${id}`,
			people[person],
			team,
			at,
			amount,
			null,
			'approved',
			20,
			null,
			breakdown,
			null,
			now
		);
		for (let l = 0; l < 2; l++)
			lineValues.push(lineId++, id, products[(id + l * 13) % products.length], 1, 4900, 10);
		entryValues.push(
			id,
			season.id,
			people[person],
			team,
			id,
			null,
			null,
			'sale',
			20,
			'confirmed',
			breakdown,
			null,
			null,
			now
		);
	}
	client
		.transaction(() => {
			sales.run(saleValues);
			lines.run(lineValues);
			entries.run(entryValues);
		})
		.immediate();
}
const cpu = process.cpuUsage(cpu0);
console.log(
	`${change || 'schema as it is'}: ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms of CPU for ${SALES.toLocaleString('en')} sales, ${(2 * SALES).toLocaleString('en')} lines and ${SALES.toLocaleString('en')} ledger entries`
);
cleanup();
