// The sellers' days of a group of API sales and of an import's window, read ahead before the
// sales are planned (scoring/write-batch.ts readDaysInWrite; on PostgreSQL one statement for the
// days with a row, one for the sales of those without). Whatever a day held before (a row, sales
// but no row, nothing), and for sales either side of midnight in the season's time zone (not
// UTC's), each local day gets its first-sale bonus once, its daily cap is kept, and person_day
// equals what the day's sales add up to, on both dialects; on PostgreSQL no day is read alone.
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import { importSalesOn } from '../../src/lib/server/imports/sales';
import { recordSaleGrouped } from '../../src/lib/server/scoring/group-commit';
import type { RecordSaleInput } from '../../src/lib/server/scoring/sales';
import type { LedgerBreakdown } from '../../src/lib/server/db/schema';
import { statementsDuring } from '../helpers/pg-statements';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { liveSeasonOn, phoneAndCaseOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('person-days-ahead');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// New York in December is UTC-5: its local day starts at 05:00 UTC.
const TIME_ZONE = 'America/New_York';
const OFFSET = 5 * HOUR;
/** Local time in New York on a day of December 2030. */
const ny = (day: number, hours: number, minutes = 0) =>
	Date.UTC(2030, 11, day, hours, minutes) + OFFSET;
const localDayOf = (at: number) => Math.floor((at - OFFSET) / DAY) * DAY + OFFSET;
const clock = () => Date.UTC(2030, 11, 12);
const BONUS = 7;
const CAP = 300;

type Season = Awaited<ReturnType<typeof liveSeasonOn>>;
type Sale = { id: string; person: number; at: number; sku: 'PHONE' | 'CASE' };

/** Four sellers in New York's time zone; a day's first sale earns 7, phones double up to 300 a day. */
async function seasonOn(store: Store): Promise<Season & { rules: { bonus: number; cap: number } }> {
	const s = await liveSeasonOn(store, {
		size: 4,
		teams: ['North', 'South'],
		endsAt: Date.UTC(2030, 11, 31),
		timeZone: TIME_ZONE
	});
	await phoneAndCaseOn(store, s.seasonId);
	const [bonus, cap] = await store.db
		.insert(store.tables.rule)
		.values([
			{
				seasonId: s.seasonId,
				name: 'First sale',
				target: { kind: 'any' },
				effect: { kind: 'first_sale_bonus', points: BONUS }
			},
			{
				seasonId: s.seasonId,
				name: 'Phones double, 300 a day at most',
				target: { kind: 'category', category: 'Phones' },
				effect: { kind: 'multiplier', factor: 2 },
				dailyCap: CAP
			}
		])
		.returning({ id: store.tables.rule.id });
	return { ...s, rules: { bonus: bonus.id, cap: cap.id } };
}

const input = (s: Season, sale: Sale): RecordSaleInput => ({
	source: 'api',
	externalId: sale.id,
	seller: { email: s.people[sale.person].email },
	occurredAt: sale.at,
	lines: [{ sku: sale.sku, quantity: 1, unitPrice: sale.sku === 'PHONE' ? 50000 : 2000 }]
});

/**
 * Before: seller 0 has a row for Dec 10 with three phones (the cap reached); seller 1 a phone on
 * Dec 10 and no row (dropped, as a recalculation drops them); seller 3 a row for Dec 11; seller 2
 * nothing. Each sale alone, by the per-day reads.
 */
async function daysBefore(store: Store, s: Season, prefix: string): Promise<void> {
	const before: Sale[] = [
		{ id: `${prefix}-a1`, person: 0, at: ny(10, 18), sku: 'PHONE' },
		{ id: `${prefix}-a2`, person: 0, at: ny(10, 19), sku: 'PHONE' },
		{ id: `${prefix}-a3`, person: 0, at: ny(10, 20), sku: 'PHONE' },
		{ id: `${prefix}-b1`, person: 1, at: ny(10, 22), sku: 'PHONE' },
		{ id: `${prefix}-d1`, person: 3, at: ny(11, 9), sku: 'PHONE' }
	];
	for (const sale of before) await recordSaleGrouped(store, input(s, sale), clock);
	const { personDay } = store.tables;
	await store.db
		.delete(personDay)
		.where(and(eq(personDay.seasonId, s.seasonId), eq(personDay.userId, s.people[1].id)));
}

/** Sent together: each seller either side of New York's midnight (04:00-05:00 UTC is before it). */
function together(prefix: string): Sale[] {
	return [
		{ id: `${prefix}-a1`, person: 0, at: ny(10, 18), sku: 'PHONE' }, // sent before: a replay
		{ id: `${prefix}-a4`, person: 0, at: ny(10, 23, 30), sku: 'PHONE' },
		{ id: `${prefix}-a5`, person: 0, at: ny(11, 0, 30), sku: 'PHONE' },
		{ id: `${prefix}-a6`, person: 0, at: ny(11, 8), sku: 'CASE' },
		{ id: `${prefix}-b2`, person: 1, at: ny(10, 23, 45), sku: 'PHONE' },
		{ id: `${prefix}-b3`, person: 1, at: ny(11, 0, 15), sku: 'PHONE' },
		{ id: `${prefix}-c1`, person: 2, at: ny(10, 23, 59), sku: 'PHONE' },
		{ id: `${prefix}-c2`, person: 2, at: ny(11, 0, 1), sku: 'PHONE' },
		{ id: `${prefix}-c3`, person: 2, at: ny(11, 0, 2), sku: 'PHONE' },
		{ id: `${prefix}-d2`, person: 3, at: ny(11, 10), sku: 'PHONE' }
	];
}

/** The season's sales per seller and local day (New York's), and its person_day rows. */
async function daysOf(store: Store, s: Season) {
	const { personDay, sale } = store.tables;
	const sales = await store.db
		.select({
			userId: sale.sellerId,
			at: sale.occurredAt,
			points: sale.points,
			breakdown: sale.breakdown
		})
		.from(sale)
		.where(eq(sale.seasonId, s.seasonId));
	const rows = await store.db
		.select({
			userId: personDay.userId,
			day: personDay.day,
			sales: personDay.sales,
			points: personDay.points,
			quantity: personDay.quantity
		})
		.from(personDay)
		.where(eq(personDay.seasonId, s.seasonId));
	const days = new Map<
		string,
		{ sales: number; points: number; phones: number; items: LedgerBreakdown['items'] }
	>();
	for (const { userId, at, points, breakdown } of sales) {
		const key = `${userId}@${localDayOf(at)}`;
		const day = days.get(key) ?? { sales: 0, points: 0, phones: 0, items: [] };
		day.sales += 1;
		day.points += points;
		day.phones += (breakdown?.lines ?? []).filter((line) => line.sku === 'PHONE').length;
		day.items.push(...(breakdown?.items ?? []));
		days.set(key, day);
	}
	return { days, rows };
}

/**
 * Every local day of a seller: one first-sale bonus, its phones doubled up to the cap, and its
 * person_day row (where it has one) the sum of its sales. Seller 1's Dec 10 must have one.
 */
async function expectDaysRight(
	store: Store,
	s: Season & { rules: { bonus: number; cap: number } }
) {
	const { days, rows } = await daysOf(store, s);
	expect(days.size).toBe(7);
	for (const [key, day] of days) {
		const ruled = (id: number) => day.items.filter((item) => item.ruleId === id);
		expect(
			ruled(s.rules.bonus).map((item) => item.points),
			key
		).toEqual([BONUS]);
		const doubled = ruled(s.rules.cap).reduce((sum, item) => sum + item.points, 0);
		expect(doubled, key).toBe(Math.min(CAP, 100 * day.phones));
	}
	for (const row of rows) {
		const day = days.get(`${row.userId}@${row.day}`);
		expect(day, `${row.userId}@${row.day}`).toBeDefined();
		expect({ sales: row.sales, points: row.points, quantity: row.quantity }).toEqual({
			sales: day!.sales,
			points: day!.points,
			quantity: day!.sales
		});
	}
	expect(rows.some((r) => r.userId === s.people[1].id && r.day === localDayOf(ny(10, 0)))).toBe(
		true
	);
}

/**
 * The PostgreSQL statements that read days: with a group's sellers (their rows), ahead (many at
 * once) or one each; the read ahead's own lateral read of the sales first, so that it is not
 * taken for a day's sales read alone.
 */
const DAY_READS = {
	// Its SQL, or EXECUTE of it with the write's begin (db/store.ts openingQuery).
	sellers:
		/left join lateral .*"person_day"|"person_day".* left join lateral|execute sale_sellers_ahead_pg\(/,
	ahead: /with ordinality as k\(season_id, user_id/,
	alone: /from "person_day" where|from "sale" where .*"occurred_at" >= /i
};

describe.each(['sqlite', 'postgres'] as const)("sellers' days read ahead on %s", (dialect) => {
	it('a group of API sales: each local day scored once, person_day its sales', async () => {
		const [a, b] = nodes[dialect];
		const s = await seasonOn(a);
		await daysBefore(a, s, `g${dialect}`);
		const reads = await statementsDuring(DAY_READS, async () => {
			const answers = await Promise.all(
				together(`g${dialect}`).map((sale) => recordSaleGrouped(a, input(s, sale), clock))
			);
			expect(answers.map((r) => r.created)).toEqual([false, ...Array(9).fill(true)]);
		});
		await expectDaysRight(b, s);
		// Seven days, two with a row, one with a sale and no row: the rows read with the sellers,
		// the days without one in one statement, none alone.
		if (dialect === 'postgres') expect(reads).toEqual({ sellers: 1, ahead: 1, alone: 0 });
	});

	it("an import's window: each local day scored once, person_day its sales", async () => {
		const [a, b] = nodes[dialect];
		const s = await seasonOn(a);
		await daysBefore(a, s, `w${dialect}`);
		const csv = [
			'externalId,sellerEmail,occurredAt,sku,quantity,unitPrice',
			...together(`w${dialect}`).map(
				(sale) =>
					`${sale.id},${s.people[sale.person].email},${new Date(sale.at).toISOString()},` +
					`${sale.sku},1,${sale.sku === 'PHONE' ? 500 : 20}`
			)
		].join('\n');
		const reads = await statementsDuring(DAY_READS, async () => {
			const report = await importSalesOn(a, csv, {
				dryRun: false,
				actor: {},
				clock,
				batchSize: 50,
				windowMs: null,
				parseThread: null
			});
			expect(report.sales).toEqual({ new: 9, duplicate: 1, rejected: 0 });
		});
		await expectDaysRight(b, s);
		if (dialect === 'postgres') expect(reads).toEqual({ sellers: 0, ahead: 2, alone: 0 });
	});
});
