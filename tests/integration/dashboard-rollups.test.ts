// The dashboard's rollups (dashboard_slot, dashboard_product_day, dashboard_line, kept by SQLite
// triggers) against a direct recompute from the ledger and the sales, after random sequences of
// sales, confirmations, rejections, reversals, adjustments and recalculations, in zones whose
// local days start on the half hour and that change to summer time inside the season.
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { isDeepStrictEqual } from 'node:util';
import { tempDb } from '../helpers/db';
import { makeContest, makeUser } from '../helpers/factories';
import { recordOn } from '../helpers/record-sale';
import { reviewSales, type Decision } from '../../src/lib/server/scoring/review';
import { adjustPoints } from '../../src/lib/server/scoring/adjustments';
import { sqliteStore } from '../../src/lib/server/db/store';
import { recalculateOn } from '../../src/lib/server/scoring/recalculate-run-store';
import { importSales } from '../../src/lib/server/imports/sales';
import { dashboardData } from '../../src/lib/server/dashboard/figures';
import type { DashboardFilters } from '../../src/lib/server/dashboard/filters';
import { product, rule, season } from '../../src/lib/server/db/schema';
import type { Db } from '../../src/lib/server/db';
import { mulberry32 } from '../../src/lib/seeded-random';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let ctx: ReturnType<typeof tempDb> | undefined;
afterEach(() => {
	ctx?.cleanup();
	ctx = undefined;
});

/** Every filter the page offers: whole season, week, 7 days, a custom span, each team. */
function filterSets(teams: number[], days: string[]): DashboardFilters[] {
	const base: DashboardFilters[] = [
		{ teamId: null, period: 'season' },
		{ teamId: null, period: 'week' },
		{ teamId: null, period: '7d' },
		{ teamId: null, period: 'custom', from: days[3], to: days[9] },
		{ teamId: null, period: 'custom', from: days[5], to: days[5] }
	];
	return [...base, ...teams.flatMap((teamId) => base.map((f) => ({ ...f, teamId })))];
}

function expectSameFigures(db: Db, seasonId: number, filters: DashboardFilters[], now: number) {
	for (const f of filters) {
		const rolled = dashboardData(db, seasonId, f, () => now);
		const direct = dashboardData(db, seasonId, f, () => now, { direct: true });
		// toEqual first for a readable diff, then strictly (key order and -0 aside).
		expect(rolled, JSON.stringify(f)).toEqual(direct);
		expect(isDeepStrictEqual(rolled, direct), JSON.stringify(f)).toBe(true);
	}
}

async function randomSeason(timeZone: string, startsAt: number, seed: number) {
	ctx = tempDb();
	const db = ctx.db;
	const random = mulberry32(seed);
	const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
	const contest = await makeContest(db, { teams: 3, people: 9, requireConfirmation: true });
	const seasonId = contest.season.id;
	const endsAt = startsAt + 20 * DAY;
	db.update(season)
		.set({ timeZone, startsAt, endsAt, target: 5000 })
		.where(eq(season.id, seasonId))
		.run();
	db.update(product).set({ active: true }).where(eq(product.seasonId, seasonId)).run();
	db.insert(rule)
		.values({
			seasonId,
			name: 'Case days',
			startsAt: startsAt + 6 * DAY + 5 * HOUR,
			endsAt: startsAt + 11 * DAY,
			target: { kind: 'sku', sku: 'CASE' },
			effect: { kind: 'multiplier', factor: 2 }
		})
		.run();
	const manager = await makeUser(db, { role: 'manager' });
	const actor = { userId: manager.id };
	const now = startsAt + 14 * DAY + 7 * HOUR + 20 * 60_000;
	const sales: { id: number; status: string }[] = [];
	let n = 0;
	for (let step = 0; step < 160; step++) {
		const roll = random();
		// Instants on and around local midnights (whole and half hours, a minute either side).
		const when =
			startsAt + Math.floor(random() * 15) * DAY + pick([0, 1, 29, 30, 31, 60, 1439]) * 60_000;
		if (roll < 0.55 || sales.length === 0) {
			const lines = Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
				sku: pick(['PHONE', 'CASE', 'OLD']),
				quantity: 1 + Math.floor(random() * 3)
			}));
			const { sale } = await recordOn(
				db,
				{
					source: 'api',
					externalId: `r${++n}`,
					seller: { userId: pick(contest.people).id },
					occurredAt: Math.min(when, now - HOUR),
					lines
				},
				() => now - HOUR
			);
			sales.push({ id: sale.id, status: sale.status });
		} else if (roll < 0.9) {
			const target = pick(sales);
			const decision: Decision =
				target.status === 'pending'
					? pick(['confirm', 'confirm', 'reject'] as const)
					: target.status === 'approved'
						? 'reverse'
						: 'confirm';
			if (target.status === 'rejected' || target.status === 'reversed') continue;
			const [result] = await reviewSales(
				sqliteStore(db),
				[target.id],
				{ decision, actor, reason: decision === 'confirm' ? null : 'test' },
				() => now - HOUR
			);
			target.status = result.sale.status;
		} else if (roll < 0.97) {
			await adjustPoints(
				sqliteStore(db),
				{
					seasonId,
					userId: pick(contest.people).id,
					points: pick([-15, 10, 40]),
					reason: 'Random',
					actor
				},
				() => when
			);
		} else {
			db.update(product)
				.set({ points: 1 + Math.floor(random() * 60) })
				.where(eq(product.sku, pick(['PHONE', 'CASE'])))
				.run();
			await recalculateOn(sqliteStore(db), seasonId, actor, () => now - HOUR);
		}
	}
	const days = dashboardData(db, seasonId, { teamId: null, period: 'season' }, () => now)!.progress
		.days;
	return {
		db,
		seasonId,
		now,
		filters: filterSets(
			contest.teams.map((t) => t.id),
			days
		)
	};
}

describe('dashboard rollups', () => {
	it('equal a direct recompute where local days start on the half hour (Asia/Kolkata)', async () => {
		const { db, seasonId, now, filters } = await randomSeason(
			'Asia/Kolkata',
			Date.UTC(2026, 2, 1) - 5.5 * HOUR,
			1
		);
		expectSameFigures(db, seasonId, filters, now);
	});

	it('equal a direct recompute across a change to summer time (Europe/Berlin)', async () => {
		const { db, seasonId, now, filters } = await randomSeason(
			'Europe/Berlin',
			Date.UTC(2026, 2, 19) - HOUR,
			2
		);
		expectSameFigures(db, seasonId, filters, now);
	});

	it('equal a direct recompute after imports in small windows, reviews and a re-import', async () => {
		// An import's window writes its rows many per statement (scoring/sale-rows.ts); the
		// rollups it leaves must be those of the sales, whatever the window size.
		const { db, seasonId, now, filters } = await randomSeason(
			'Europe/Berlin',
			Date.UTC(2026, 2, 19) - HOUR,
			4
		);
		const random = mulberry32(44);
		const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
		const people = db.$client
			.prepare(
				`select u.email from season_member m join user u on u.id = m.user_id where m.season_id = ?`
			)
			.pluck()
			.all(seasonId) as string[];
		const startsAt = db.$client
			.prepare(`select starts_at from season where id = ?`)
			.pluck()
			.get(seasonId) as number;
		const rows = ['externalId,sellerEmail,occurredAt,sku,quantity,unitPrice'];
		for (let n = 1; n <= 120; n++) {
			const when =
				startsAt + Math.floor(random() * 14) * DAY + pick([0, 1, 29, 30, 31, 60, 1439]) * 60_000;
			const seller = pick(people);
			// 1-3 lines; an unknown SKU now and then refuses its whole sale.
			for (let l = 0; l < 1 + Math.floor(random() * 3); l++)
				rows.push(
					`i${n},${seller},${new Date(when).toISOString()},${pick(['PHONE', 'CASE', 'CASE', 'NOPE'].slice(0, random() < 0.9 ? 3 : 4))},${1 + Math.floor(random() * 3)},${pick(['9.99', '29', '999'])}`
				);
		}
		const csv = rows.join('\n');
		const options = { dryRun: false, actor: {}, batchSize: 7, clock: () => now - HOUR };
		const report = await importSales(db, csv, options);
		expect(report.sales.new).toBeGreaterThan(80);
		expect(report.sales.rejected).toBeGreaterThan(0);
		expectSameFigures(db, seasonId, filters, now);

		// The imported sales wait for review (the season requires it): some confirmed, some not.
		const pending = db.$client
			.prepare(
				`select id from sale where season_id = ? and status = 'pending' and source = 'import'`
			)
			.pluck()
			.all(seasonId) as number[];
		const manager = db.$client
			.prepare(`select id from user where role = 'manager'`)
			.pluck()
			.get() as number;
		for (const [i, id] of pending.entries()) {
			if (i % 3 === 2) continue;
			await reviewSales(
				sqliteStore(db),
				[id],
				{
					decision: i % 3 === 0 ? 'confirm' : 'reject',
					actor: { userId: manager },
					reason: i % 3 === 0 ? null : 'test'
				},
				() => now - HOUR
			);
		}
		expectSameFigures(db, seasonId, filters, now);

		// The same file again changes nothing.
		const again = await importSales(db, csv, options);
		expect(again.sales.new).toBe(0);
		expectSameFigures(db, seasonId, filters, now);
	});

	it('follow a sale moved in time, a line changed or removed, and a season with nothing sold', async () => {
		const { db, seasonId, now, filters } = await randomSeason(
			'America/St_Johns',
			Date.UTC(2026, 2, 1) + 3.5 * HOUR,
			3
		);
		const c = db.$client;
		const ids = c
			.prepare(`select id from sale where season_id = ? order by id limit 3`)
			.pluck()
			.all(seasonId) as number[];
		// No service does these today; the triggers keep the rollups right if one ever does.
		c.prepare(`update sale set occurred_at = occurred_at + 5 * 3600000 + 1800000 where id = ?`).run(
			ids[0]
		);
		c.prepare(
			`update sale_line set quantity = quantity + 2, points = points + 7 where sale_id = ?`
		).run(ids[1]);
		c.prepare(`delete from sale_line where sale_id = ?`).run(ids[2]);
		expectSameFigures(db, seasonId, filters, now);
		// A second season in the same database, untouched: empty figures either way.
		const other = await makeContest(db, { teams: 1, people: 1 });
		expectSameFigures(db, other.season.id, [{ teamId: null, period: 'season' }], now);
	});
});
