// The season recalculation goes through a person with many sales in chunks of whole local days
// (scoring/recalculate-chunk.ts, issue #13), so that no slice is as long as one person's sales.
// Chunked, it must give what one slice of whole people gives (recalculateAtOnce), and a sale recorded between
// two chunks of its seller must be counted once, with the new rules, on a day done or to do.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { makeContest, standingsVsLedger } from '../helpers/factories';
import {
	addCasesTripleRule,
	addDailyCapRules,
	adjustmentCount,
	byPerson,
	closeTempDbs,
	openTempDb,
	personDaysVsRecomputed,
	previewAtOnce,
	recalculateAtOnce,
	recalculationOutcome,
	recordRandomSales,
	reviewInTurn
} from '../helpers/daily-caps';
import { mulberry32 } from '../../src/lib/seeded-random';
import { recordOn } from '../helpers/record-sale';
import { recalculationTotals } from '../../src/lib/server/scoring/recalculate';
import {
	observeRecalculationSlices,
	setRecalculationSliceMs
} from '../../src/lib/server/scoring/recalculate-slices';
import {
	previewRecalculationOn,
	recalculateOn
} from '../../src/lib/server/scoring/recalculate-run-store';
import { sqliteStore } from '../../src/lib/server/db/store';
import { setRecalculationChunkSales } from '../../src/lib/server/scoring/recalculate-chunk';
import { auditEvent, ledgerEntry, sale } from '../../src/lib/server/db/schema';
import type { Db } from '../../src/lib/server/db';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
// Noon UTC today: the tests' seasons are in UTC, so NOW - n * DAY is noon n days ago.
const NOW = Math.floor(Date.now() / DAY) * DAY + 12 * HOUR;
const clock = () => NOW;

beforeEach(() => setRecalculationSliceMs(0));
afterEach(async () => {
	setRecalculationSliceMs(undefined);
	setRecalculationChunkSales(undefined);
	observeRecalculationSlices(undefined);
	await closeTempDbs();
});

async function sell(db: Db, seller: number, externalId: string, occurredAt: number, quantity = 2) {
	const recorded = await recordOn(
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
	);
	return recorded.sale.id;
}

/**
 * One person with 150 sales over twelve days (registered out of time order, some rejected or
 * reversed) and one with 8, under one rule; then the rules change (addDailyCapRules). Same seed,
 * same season.
 */
async function bigSellerSeason(seed = 11) {
	const db = openTempDb();
	const random = mulberry32(seed);
	const contest = await makeContest(db, { teams: 2, people: 2, requireConfirmation: true });
	const seasonId = contest.season.id;
	const [big, small] = [...contest.people].sort((x, y) => x.id - y.id);
	addCasesTripleRule(db, seasonId);
	const ids = await recordRandomSales(db, random, {
		count: 158,
		now: NOW,
		span: 12 * DAY,
		sellerOf: (n) => (n < 150 ? big.id : small.id)
	});
	const decisions = [
		[5, 'reject'],
		[17, 'confirm'],
		[23, 'confirm'],
		[23, 'reverse'],
		[90, 'reject'],
		[151, 'reject']
	] as const;
	await reviewInTurn(db, ids, decisions, { userId: null }, clock);
	addDailyCapRules(db, seasonId);
	return { db, seasonId, big, small };
}

describe('season recalculation of a person in chunks of days', () => {
	it.each([
		['the default chunks (64 sales)', undefined, 3],
		['chunks of 7 sales', 7, 12],
		['a day per chunk', 1, 12]
	])('gives what one chunk per person gives, with %s', async (_, chunk, atLeast) => {
		setRecalculationChunkSales(chunk);
		const chunked = await bigSellerSeason();
		const block = await bigSellerSeason();
		// The preview, chunked, lists what one chunk per person would do, in the same order.
		expect(await previewRecalculationOn(sqliteStore(chunked.db), chunked.seasonId)).toEqual(
			await previewAtOnce(chunked.db, chunked.seasonId)
		);
		const b = await recalculateAtOnce(block.db, block.seasonId, { userId: null }, clock);
		let slices = 0;
		observeRecalculationSlices(() => (slices += 1));
		const a = await recalculateOn(
			sqliteStore(chunked.db),
			chunked.seasonId,
			{ userId: null },
			clock
		);
		// The big seller took several slices: one per chunk (the budget is 0), not one in all.
		expect(slices).toBeGreaterThanOrEqual(atLeast + 1);
		expect(a.changes.length).toBeGreaterThan(50);
		expect(recalculationTotals(a)).toEqual(recalculationTotals(b));
		expect(byPerson(a)).toEqual(byPerson(b));
		expect(a.changes.map((c) => [c.saleId, c.before, c.after])).toEqual(
			b.changes.map((c) => [c.saleId, c.before, c.after])
		);
		expect(recalculationOutcome(chunked.db, chunked.seasonId)).toEqual(
			recalculationOutcome(block.db, block.seasonId)
		);
		const s = standingsVsLedger(chunked.db, chunked.seasonId);
		expect(s.stored).toEqual(s.fromLedger);
		const audits = chunked.db
			.select()
			.from(auditEvent)
			.where(eq(auditEvent.action, 'season.recalculate'))
			.all();
		expect(audits).toHaveLength(1);
		expect(audits[0].data).toEqual(recalculationTotals(a));
		expect((await previewAtOnce(chunked.db, chunked.seasonId)).changes).toEqual([]);
	});

	it('counts a sale recorded between two chunks of its seller once, with the new rules', async () => {
		const db = openTempDb();
		const contest = await makeContest(db, { teams: 1, people: 1 });
		const seasonId = contest.season.id;
		const seller = contest.people[0].id;
		// Four sales of two phones (100 base points each) at noon on each of the last six days;
		// under the new rules the day's doubles reach the 300 cap with its third sale.
		for (let day = 6; day >= 1; day--)
			for (let n = 0; n < 4; n++)
				await sell(db, seller, `d${day}-${n}`, NOW - day * DAY + n * 60_000);
		addDailyCapRules(db, seasonId);
		// A chunk is one local day, and a slice one chunk: the days go in time order.
		setRecalculationChunkSales(1);
		let adding: Promise<number[]> | undefined;
		let slices = 0;
		observeRecalculationSlices(() => {
			slices += 1;
			// The first day (six days ago) is done, two days ago is still to do. Both sales' writes
			// start now, so that both take their turn of the loop before the next slice's write.
			if (slices === 1)
				adding = Promise.all([
					sell(db, seller, 'late-done', NOW - 6 * DAY + HOUR),
					sell(db, seller, 'late-to-do', NOW - 2 * DAY + HOUR)
				]);
		});
		const run = await recalculateOn(sqliteStore(db), seasonId, { userId: null }, clock);
		const added = (await adding) ?? [];
		expect(added).toHaveLength(2);
		expect(slices).toBeGreaterThanOrEqual(6);
		// On the day done, the new sale was scored from day totals refilled from the new
		// breakdowns: right at once (cap reached, no double), never adjusted.
		const points = (id: number) => db.select().from(sale).where(eq(sale.id, id)).get()!.points;
		expect(points(added[0])).toBe(100);
		expect(adjustmentCount(db, added[0])).toBe(0);
		// On the day to do, it was scored from the old day totals (a full double and the basket
		// bonus: 225) and set right by that day's chunk, once.
		const recorded = db
			.select()
			.from(ledgerEntry)
			.where(and(eq(ledgerEntry.saleId, added[1]), eq(ledgerEntry.kind, 'sale')))
			.get()!;
		expect(recorded.points).toBe(225);
		expect(points(added[1])).toBe(100);
		expect(adjustmentCount(db, added[1])).toBe(1);
		expect(run.salesChecked).toBe(25);
		// Everything has the points today's rules give; each sale once in the ledger.
		expect((await previewAtOnce(db, seasonId)).changes).toEqual([]);
		for (const id of added) {
			const entries = db.select().from(ledgerEntry).where(eq(ledgerEntry.saleId, id)).all();
			expect(entries.filter((e) => e.kind === 'sale')).toHaveLength(1);
			expect(entries.reduce((sum, e) => sum + e.points, 0)).toBe(points(id));
		}
		const s = standingsVsLedger(db, seasonId);
		expect(s.stored).toEqual(s.fromLedger);
		// The day totals kept for scoring agree with the sales as they are now.
		const { stored, recomputed } = await personDaysVsRecomputed(db, seasonId, 'UTC');
		expect(stored).toEqual(recomputed);
	});
});
