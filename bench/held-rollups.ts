// What an import window's held rows cost to write on SQLite with the dashboard's insert triggers
// (each sale, line and entry its upsert) against the batch keeping their rollups itself
// (dashboard/held-rollups.ts: the triggers standing aside, one upsert per key). One process, one
// file of the import bench's season (1,000 members in 10 teams, 40 products), windows of 500 sales
// of one to three lines, each written in a transaction rolled back, the variants interleaved:
// CPU µs per sale. --days 79 spreads a window's sales over 79 days as bench:import's file does
// (few sales share a slot); --days 1 puts them on one day (a shop's day: many share one).
//   npx tsx bench/held-rollups.ts [--rounds 15] [--days 79]
import { insertRows } from '../src/lib/server/db/many-rows';
import { SaleRows, type LineValues } from '../src/lib/server/scoring/sale-rows';
import { tempDb } from '../tests/helpers/db';
import { option } from './lib/args';
import { seedImportSeason } from './lib/import-season';
import { timeInterleaved } from './lib/interleaved';

process.env.LOG_LEVEL ??= 'warn';
const ROUNDS = option('rounds', 15);
const DAYS = option('days', 79);
const SALES = 500;
const DAY = 86_400_000;

const { db, cleanup } = tempDb();
const season = await seedImportSeason(db, 1000);
const client = db.$client;
const seasonId = (client.prepare('SELECT max(id) AS id FROM season').get() as { id: number }).id;
const members = client
	.prepare('SELECT user_id AS userId, team_id AS teamId FROM season_member WHERE season_id = ?')
	.all(seasonId) as { userId: number; teamId: number }[];
const products = client.prepare('SELECT id FROM product WHERE season_id = ?').all(seasonId) as {
	id: number;
}[];

/** A window's sales held in a new SaleRows (the same sales every run). */
function heldWindow(): SaleRows {
	const rows = new SaleRows();
	let seed = 7;
	const next = (n: number) => (seed = (seed * 48_271) % 2_147_483_647) % n;
	for (let i = 0; i < SALES; i++) {
		const m = members[next(members.length)];
		const occurredAt = season.now - 1 - next(DAYS * DAY);
		const lines: LineValues[] = Array.from({ length: 1 + next(3) }, () => ({
			productId: products[next(products.length)].id,
			quantity: 1 + next(3),
			unitPrice: 1999,
			points: 20
		}));
		const points = lines.reduce((sum, l) => sum + l.points, 0);
		const status = i % 10 === 0 ? 'pending' : 'approved';
		rows.add(
			db,
			{
				seasonId,
				source: 'import',
				externalId: `bench-${i}`,
				sellerId: m.userId,
				teamId: m.teamId,
				occurredAt,
				amount: 1999,
				customerRef: null,
				status,
				points,
				flagReason: null,
				breakdown: '{}',
				createdById: null,
				createdAt: season.now
			},
			lines,
			{
				seasonId,
				userId: m.userId,
				teamId: m.teamId,
				kind: 'sale',
				points,
				status: status === 'pending' ? 'provisional' : 'confirmed',
				breakdown: null,
				reason: null,
				createdById: null,
				createdAt: season.now
			},
			false,
			[]
		);
	}
	return rows;
}

/** The held rows' values as write() would insert them, read off a SaleRows (bench only). */
const valuesOf = (rows: SaleRows) =>
	(rows as unknown as { values: Record<'sale' | 'sale_line' | 'ledger_entry', unknown[]> }).values;

/** One window in a transaction rolled back: `write` the held rows' write, timed alone. */
function windowRun(write: (rows: SaleRows) => void) {
	return () => {
		const rows = heldWindow();
		client.exec('BEGIN');
		const cpu = process.cpuUsage();
		const start = process.hrtime.bigint();
		write(rows);
		const used = process.cpuUsage(cpu);
		const wallMicros = Number(process.hrtime.bigint() - start) / 1000;
		client.exec('ROLLBACK');
		return { wallMicros, cpuMicros: used.user + used.system };
	};
}

const COLUMNS = {
	sale: 'id, season_id, source, external_id, seller_id, team_id, occurred_at, amount, customer_ref, status, points, flag_reason, breakdown, created_by_id, created_at',
	sale_line: 'id, sale_id, product_id, quantity, unit_price, points',
	ledger_entry:
		'id, season_id, user_id, team_id, sale_id, award_id, activity_id, kind, points, status, breakdown, reason, created_by_id, created_at'
};

await timeInterleaved(
	[
		{
			name: 'triggers per row (before)',
			ops: SALES,
			run: windowRun((rows) => {
				const values = valuesOf(rows);
				for (const table of ['sale', 'sale_line', 'ledger_entry'] as const)
					insertRows(db, { table, columns: COLUMNS[table].split(', ') }, values[table]);
			})
		},
		{ name: 'batch rollups (after)', ops: SALES, run: windowRun((rows) => rows.write(db)) }
	],
	ROUNDS
);
cleanup();
