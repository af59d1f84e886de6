// A big season for the benchmarks: 1,000 participants in 10 teams, 40 products, two campaigns and
// `sales` sales over the last 45 days (70 % approved, 25 % pending, 3 % rejected, 2 % reversed),
// written directly with prepared statements in big transactions (the rollup triggers run as they
// do for the app), with standings to match. One executive signs in as exec@bench.test /
// bench-password. Deterministic: the same size gives the same data.
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../../src/lib/server/db';
import { rule } from '../../src/lib/server/db/schema';
import { hashPassword } from '../../src/lib/server/auth/password';
import { mulberry32 } from '../../src/lib/seeded-random';

export const PEOPLE = 1_000;
export const TEAMS = 10;
const DAY = 86_400_000;
export const NOW = Date.now();
const START = NOW - 45 * DAY;
const END = NOW + 15 * DAY;

let random = mulberry32(6);
const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));

export async function seedSales(path: string, SALES: number) {
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

/**
 * seedSales, then rules added after the sales (a first-sale bonus and a capped double): a season
 * whose recalculation changes most sales, as bench/badges.ts --recalc-only's. Checkpointed and
 * closed, ready to copy.
 */
export async function seedRecalculationSeason(path: string, sales: number) {
	const seeded = await seedSales(path, sales);
	const db = openDatabase(path);
	db.insert(rule)
		.values([
			{
				seasonId: seeded.seasonId,
				name: 'First sale of the day',
				target: { kind: 'any' },
				effect: { kind: 'first_sale_bonus', points: 25 }
			},
			{
				seasonId: seeded.seasonId,
				name: 'Cat 2 double, 400 a day at most',
				target: { kind: 'category', category: 'Cat 2' },
				effect: { kind: 'multiplier', factor: 2 },
				dailyCap: 400
			}
		])
		.run();
	db.$client.pragma('wal_checkpoint(TRUNCATE)');
	db.$client.close();
	return seeded;
}
