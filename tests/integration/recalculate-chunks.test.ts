// The season recalculation goes through a person with many sales in chunks of whole local days
// (scoring/recalculate-chunk.ts, issue #13), so that no slice is as long as one person's sales.
// Chunked, it must give what the one-block recalculation gives, and a sale recorded between
// two chunks of its seller must be counted once, with the new rules, on a day done or to do.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest, standingsVsLedger } from '../helpers/factories';
import { recordSale } from '../../src/lib/server/scoring/sales';
import { reviewSales } from '../../src/lib/server/scoring/review';
import {
	planRecalculation,
	recalculateSeason,
	recalculationTotals,
	type Recalculation
} from '../../src/lib/server/scoring/recalculate';
import {
	observeRecalculationSlices,
	previewRecalculation,
	recalculateInSlices,
	recalculationsSettled,
	setRecalculationSliceMs
} from '../../src/lib/server/scoring/recalculate-run';
import { setRecalculationChunkSales } from '../../src/lib/server/scoring/recalculate-chunk';
import { auditEvent, ledgerEntry, personDay, rule, sale } from '../../src/lib/server/db/schema';
import type { Db } from '../../src/lib/server/db';
import { recomputeDay } from '../../src/lib/server/scoring/person-day';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
// Noon UTC today: the tests' seasons are in UTC, so NOW - n * DAY is noon n days ago.
const NOW = Math.floor(Date.now() / DAY) * DAY + 12 * HOUR;
const clock = () => NOW;

function mulberry32(seed: number) {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const opened: ReturnType<typeof tempDb>[] = [];
beforeEach(() => setRecalculationSliceMs(0));
afterEach(async () => {
	setRecalculationSliceMs(undefined);
	setRecalculationChunkSales(undefined);
	observeRecalculationSlices(undefined);
	for (const ctx of opened.splice(0)) {
		await recalculationsSettled(ctx.db);
		ctx.cleanup();
	}
});

const sell = (db: Db, seller: number, externalId: string, occurredAt: number, quantity = 2) =>
	recordSale(
		db,
		{
			source: 'api',
			externalId,
			seller: { userId: seller },
			occurredAt,
			lines: [{ sku: 'PHONE', quantity, unitPrice: 99900 }]
		},
		clock,
		{ awards: false }
	).sale.id;

/** The new rules: a first-sale bonus, phones doubled up to 300 a day, a capped big-basket bonus. */
function changeRules(db: Db, seasonId: number) {
	db.insert(rule)
		.values([
			{
				seasonId,
				name: 'First sale',
				target: { kind: 'any' },
				effect: { kind: 'first_sale_bonus', points: 7 }
			},
			{
				seasonId,
				name: 'Phones double, 300 a day at most',
				target: { kind: 'category', category: 'Phones' },
				effect: { kind: 'multiplier', factor: 2 },
				dailyCap: 300
			},
			{
				seasonId,
				name: 'Big basket, 50 a day at most',
				target: { kind: 'any' },
				effect: { kind: 'amount_bonus', minAmount: 150000, points: 25 },
				dailyCap: 50
			}
		])
		.run();
}

/**
 * One person with 150 sales over twelve days (registered out of time order, some rejected or
 * reversed) and one with 8, under one rule; then the rules change. Same seed, same season.
 */
async function bigSellerSeason(seed = 11) {
	const ctx = tempDb();
	opened.push(ctx);
	const db = ctx.db;
	const random = mulberry32(seed);
	const contest = await makeContest(db, { teams: 2, people: 2, requireConfirmation: true });
	const seasonId = contest.season.id;
	const [big, small] = [...contest.people].sort((x, y) => x.id - y.id);
	db.insert(rule)
		.values({
			seasonId,
			name: 'Cases triple',
			target: { kind: 'sku', sku: 'CASE' },
			effect: { kind: 'multiplier', factor: 3 }
		})
		.run();
	const ids: number[] = [];
	for (let n = 0; n < 158; n++)
		ids.push(
			recordSale(
				db,
				{
					source: 'api',
					externalId: `s-${n}`,
					seller: { userId: n < 150 ? big.id : small.id },
					occurredAt: NOW - Math.floor(random() * 12 * DAY),
					lines: [
						{
							sku: random() < 0.5 ? 'PHONE' : 'CASE',
							quantity: 1 + Math.floor(random() * 3),
							unitPrice: random() < 0.5 ? 99900 : 2900
						}
					]
				},
				clock,
				{ awards: false }
			).sale.id
		);
	for (const [i, decision] of [
		[5, 'reject'],
		[17, 'confirm'],
		[23, 'confirm'],
		[23, 'reverse'],
		[90, 'reject'],
		[151, 'reject']
	] as const)
		reviewSales(db, [ids[i]], { decision, actor: { userId: null }, reason: 'r' }, clock);
	changeRules(db, seasonId);
	return { db, seasonId, big, small };
}

/** What a recalculation leaves: every sale's points and breakdown, the ledger per person. */
function outcome(db: Db, seasonId: number) {
	return {
		sales: db
			.select({ id: sale.id, points: sale.points, breakdown: sale.breakdown })
			.from(sale)
			.where(eq(sale.seasonId, seasonId))
			.orderBy(sale.id)
			.all(),
		ledger: db.all(sql`select user_id, kind, status, sum(points) as points, count(*) as n
			from ledger_entry where season_id = ${seasonId} group by 1, 2, 3 order by 1, 2, 3`),
		standings: standingsVsLedger(db, seasonId).stored
	};
}

const byPerson = (r: Recalculation) =>
	[...r.people]
		.sort((a, b) => a.userId - b.userId)
		.map(({ userId, before, after }) => ({ userId, before, after }));

const adjustments = (db: Db, saleId: number) =>
	db
		.select()
		.from(ledgerEntry)
		.where(and(eq(ledgerEntry.saleId, saleId), eq(ledgerEntry.kind, 'adjustment')))
		.all().length;

describe('season recalculation of a person in chunks of days', () => {
	it.each([
		['the default chunks (64 sales)', undefined, 3],
		['chunks of 7 sales', 7, 12],
		['a day per chunk', 1, 12]
	])('gives what the one-block recalculation gives, with %s', async (_, chunk, atLeast) => {
		setRecalculationChunkSales(chunk);
		const chunked = await bigSellerSeason();
		const block = await bigSellerSeason();
		// The preview, chunked, lists what the one block would do, in the same order.
		expect(await previewRecalculation(chunked.db, chunked.seasonId)).toEqual(
			planRecalculation(chunked.db, chunked.seasonId)
		);
		let slices = 0;
		observeRecalculationSlices(() => (slices += 1));
		const a = await recalculateInSlices(chunked.db, chunked.seasonId, { userId: null }, clock);
		const b = recalculateSeason(block.db, block.seasonId, { userId: null }, clock);
		// The big seller took several slices: one per chunk (the budget is 0), not one in all.
		expect(slices).toBeGreaterThanOrEqual(atLeast + 1);
		expect(a.changes.length).toBeGreaterThan(50);
		expect(recalculationTotals(a)).toEqual(recalculationTotals(b));
		expect(byPerson(a)).toEqual(byPerson(b));
		expect(a.changes.map((c) => [c.saleId, c.before, c.after])).toEqual(
			b.changes.map((c) => [c.saleId, c.before, c.after])
		);
		expect(outcome(chunked.db, chunked.seasonId)).toEqual(outcome(block.db, block.seasonId));
		const s = standingsVsLedger(chunked.db, chunked.seasonId);
		expect(s.stored).toEqual(s.fromLedger);
		const audits = chunked.db
			.select()
			.from(auditEvent)
			.where(eq(auditEvent.action, 'season.recalculate'))
			.all();
		expect(audits).toHaveLength(1);
		expect(audits[0].data).toEqual(recalculationTotals(a));
		expect(planRecalculation(chunked.db, chunked.seasonId).changes).toEqual([]);
	});

	it('counts a sale recorded between two chunks of its seller once, with the new rules', async () => {
		const ctx = tempDb();
		opened.push(ctx);
		const db = ctx.db;
		const contest = await makeContest(db, { teams: 1, people: 1 });
		const seasonId = contest.season.id;
		const seller = contest.people[0].id;
		// Four sales of two phones (100 base points each) at noon on each of the last six days;
		// under the new rules the day's doubles reach the 300 cap with its third sale.
		for (let day = 6; day >= 1; day--)
			for (let n = 0; n < 4; n++) sell(db, seller, `d${day}-${n}`, NOW - day * DAY + n * 60_000);
		changeRules(db, seasonId);
		// A chunk is one local day, and a slice one chunk: the days go in time order.
		setRecalculationChunkSales(1);
		const added: number[] = [];
		let slices = 0;
		observeRecalculationSlices(() => {
			slices += 1;
			// The first day (six days ago) is done, two days ago is still to do.
			if (slices === 1)
				added.push(
					sell(db, seller, 'late-done', NOW - 6 * DAY + HOUR),
					sell(db, seller, 'late-to-do', NOW - 2 * DAY + HOUR)
				);
		});
		const run = await recalculateInSlices(db, seasonId, { userId: null }, clock);
		expect(added).toHaveLength(2);
		expect(slices).toBeGreaterThanOrEqual(6);
		// On the day done, the new sale was scored from day totals refilled from the new
		// breakdowns: right at once (cap reached, no double), never adjusted.
		const points = (id: number) => db.select().from(sale).where(eq(sale.id, id)).get()!.points;
		expect(points(added[0])).toBe(100);
		expect(adjustments(db, added[0])).toBe(0);
		// On the day to do, it was scored from the old day totals (a full double and the basket
		// bonus: 225) and set right by that day's chunk, once.
		const recorded = db
			.select()
			.from(ledgerEntry)
			.where(and(eq(ledgerEntry.saleId, added[1]), eq(ledgerEntry.kind, 'sale')))
			.get()!;
		expect(recorded.points).toBe(225);
		expect(points(added[1])).toBe(100);
		expect(adjustments(db, added[1])).toBe(1);
		expect(run.salesChecked).toBe(25);
		// Everything has the points today's rules give; each sale once in the ledger.
		expect(planRecalculation(db, seasonId).changes).toEqual([]);
		for (const id of added) {
			const entries = db.select().from(ledgerEntry).where(eq(ledgerEntry.saleId, id)).all();
			expect(entries.filter((e) => e.kind === 'sale')).toHaveLength(1);
			expect(entries.reduce((sum, e) => sum + e.points, 0)).toBe(points(id));
		}
		const s = standingsVsLedger(db, seasonId);
		expect(s.stored).toEqual(s.fromLedger);
		// The day totals kept for scoring agree with the sales as they are now.
		for (const d of db.select().from(personDay).where(eq(personDay.seasonId, seasonId)).all()) {
			const key = { seasonId, userId: d.userId, day: d.day };
			const { sales, points, ruleAwards } = recomputeDay(db, key, 'UTC');
			expect({ sales: d.sales, points: d.points, ruleAwards: JSON.parse(d.ruleAwards) }).toEqual({
				sales,
				points,
				ruleAwards
			});
		}
	});
});
