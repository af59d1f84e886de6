// The season recalculation after a rule change runs person by person in slices that yield
// (scoring/recalculate-run-store.ts, issue #13). Sliced, it must give what one slice gives
// (recalculateAtOnce), count a sale recorded between two slices once and with the new rules,
// merge requests made while it runs, preview what it then applies, and let the event loop turn.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { makeContest, makeUser, standingsVsLedger } from '../helpers/factories';
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
import { auditEvent, ledgerEntry, sale } from '../../src/lib/server/db/schema';
import type { Db } from '../../src/lib/server/db';

const HOUR = 60 * 60 * 1000;
// 18:00 UTC yesterday, not the time the test runs: the new sales below (an hour before) must fall
// on a day the seeded sales fill, and just after midnight the day so far held none of them.
const NOW = Math.floor(Date.now() / (24 * HOUR)) * 24 * HOUR - 6 * HOUR;
const clock = () => NOW;

beforeEach(() => setRecalculationSliceMs(0));
afterEach(async () => {
	setRecalculationSliceMs(undefined);
	observeRecalculationSlices(undefined);
	await closeTempDbs();
});

/**
 * A season of six people with three days of sales scored under one rule, some of them rejected
 * or reversed; then the rules change (addDailyCapRules). The same seed gives the same season.
 */
async function changedSeason(seed = 7) {
	const db = openTempDb();
	const random = mulberry32(seed);
	const contest = await makeContest(db, { teams: 2, people: 6, requireConfirmation: true });
	const seasonId = contest.season.id;
	const manager = await makeUser(db, { role: 'manager' });
	addCasesTripleRule(db, seasonId);
	const ids = await recordRandomSales(db, random, {
		count: 90,
		now: NOW,
		span: 72 * HOUR,
		sellerOf: () => contest.people[Math.floor(random() * contest.people.length)].id
	});
	const decisions = [
		[5, 'reject'],
		[17, 'confirm'],
		[23, 'confirm'],
		[23, 'reverse'],
		[40, 'reject']
	] as const;
	await reviewInTurn(db, ids, decisions, { userId: manager.id }, clock);
	addDailyCapRules(db, seasonId);
	return { db, seasonId, contest, manager };
}

const recalculations = (db: Db) =>
	db.select().from(auditEvent).where(eq(auditEvent.action, 'season.recalculate')).all();

describe('season recalculation in slices', () => {
	it('gives what one slice gives, slice by slice', async () => {
		const sliced = await changedSeason();
		const block = await changedSeason();
		const b = await recalculateAtOnce(block.db, block.seasonId, { userId: null }, clock);
		let slices = 0;
		observeRecalculationSlices(() => (slices += 1));
		const a = await recalculateOn(sqliteStore(sliced.db), sliced.seasonId, { userId: null }, clock);
		expect(slices).toBeGreaterThanOrEqual(6);
		expect(a.changes.length).toBeGreaterThan(10);
		expect(recalculationTotals(a)).toEqual(recalculationTotals(b));
		expect(byPerson(a)).toEqual(byPerson(b));
		expect(recalculationOutcome(sliced.db, sliced.seasonId)).toEqual(
			recalculationOutcome(block.db, block.seasonId)
		);
		const s = standingsVsLedger(sliced.db, sliced.seasonId);
		expect(s.stored).toEqual(s.fromLedger);
		// One audit entry with the totals, and nothing left to change.
		const audits = recalculations(sliced.db);
		expect(audits).toHaveLength(1);
		expect(audits[0].data).toEqual(recalculationTotals(a));
		expect((await previewAtOnce(sliced.db, sliced.seasonId)).changes).toEqual([]);
	});

	it('counts a sale recorded between two slices once, with the new rules', async () => {
		const { db, seasonId, contest } = await changedSeason();
		const [first, , , , , last] = [...contest.people].sort((x, y) => x.id - y.id);
		// The days of the last person were filled from the old breakdowns: the new sale of theirs
		// is scored from stale day totals and must be set right by their step, after it.
		const sellAt = async (seller: number, externalId: string) => {
			const recorded = await recordOn(
				db,
				{
					source: 'api',
					externalId,
					seller: { userId: seller },
					occurredAt: NOW - HOUR,
					lines: [{ sku: 'PHONE', quantity: 3, unitPrice: 99900 }]
				},
				clock,
				{ awards: false }
			);
			return recorded.sale.id;
		};
		let adding: Promise<number[]> | undefined;
		let slices = 0;
		observeRecalculationSlices(() => {
			slices += 1;
			// After the first person's step (theirs is done) and before the last person's. Both
			// sales' writes start now, so that both take their turn of the loop before the next
			// slice's write.
			if (slices === 2)
				adding = Promise.all([sellAt(first.id, 'mid-first'), sellAt(last.id, 'mid-last')]);
		});
		await recalculateOn(sqliteStore(db), seasonId, { userId: null }, clock);
		const added = (await adding) ?? [];
		expect(added).toHaveLength(2);
		// The first person's sale came after their step: scored right at once, never adjusted.
		// The last person's was scored from day totals of the old rules, and set right by their step.
		expect(adjustmentCount(db, added[0])).toBe(0);
		expect(adjustmentCount(db, added[1])).toBe(1);
		// Everything now has the points today's rules give, the new sales too.
		expect((await previewAtOnce(db, seasonId)).changes).toEqual([]);
		for (const id of added) {
			const row = db.select().from(sale).where(eq(sale.id, id)).get()!;
			const entries = db
				.select()
				.from(ledgerEntry)
				.where(and(eq(ledgerEntry.saleId, id)))
				.all();
			expect(entries.filter((e) => e.kind === 'sale')).toHaveLength(1);
			expect(entries.reduce((sum, e) => sum + e.points, 0)).toBe(row.points);
		}
		const s = standingsVsLedger(db, seasonId);
		expect(s.stored).toEqual(s.fromLedger);
		// The day totals kept for scoring agree with the sales as they are now.
		const { stored, recomputed } = await personDaysVsRecomputed(db, seasonId, 'UTC');
		expect(stored).toEqual(recomputed);
	});

	it('merges the requests made while one runs into one more run', async () => {
		const { db, seasonId, manager } = await changedSeason();
		const firstRun = recalculateOn(sqliteStore(db), seasonId, { userId: manager.id }, clock);
		const second = recalculateOn(sqliteStore(db), seasonId, { userId: manager.id }, clock);
		const third = recalculateOn(sqliteStore(db), seasonId, { userId: manager.id }, clock);
		const [a, b, c] = await Promise.all([firstRun, second, third]);
		expect(a.changes.length).toBeGreaterThan(0);
		// One run after the first for both later requests, and it had nothing left to do.
		expect(b).toBe(c);
		expect(b.changes).toEqual([]);
		expect(recalculations(db)).toHaveLength(2);
	});

	it('previews what it then applies', async () => {
		const { db, seasonId } = await changedSeason();
		const preview = await previewRecalculationOn(sqliteStore(db), seasonId);
		const block = await previewAtOnce(db, seasonId);
		// The preview changed nothing.
		expect(recalculations(db)).toHaveLength(0);
		expect(await previewAtOnce(db, seasonId)).toEqual(block);
		const applied = await recalculateOn(sqliteStore(db), seasonId, { userId: null }, clock);
		expect(recalculationTotals(preview)).toEqual(recalculationTotals(applied));
		expect(recalculationTotals(preview)).toEqual(recalculationTotals(block));
		expect(byPerson(preview)).toEqual(byPerson(applied));
		expect(preview.changes.map((c) => [c.saleId, c.after])).toEqual(
			applied.changes.map((c) => [c.saleId, c.after])
		);
	});

	it.each(['apply', 'preview'] as const)(
		'lets the event loop turn between slices (%s)',
		async (mode) => {
			const { db, seasonId } = await changedSeason();
			const events: string[] = [];
			// Both callbacks are set once the first slice has committed (a slice's transaction starts
			// in a macrotask of its own: set before, they could run before any slice).
			observeRecalculationSlices(() => {
				if (!events.includes('slice')) {
					setImmediate(() => events.push('immediate'));
					setTimeout(() => events.push('timer'), 0);
				}
				events.push('slice');
			});
			await (mode === 'apply'
				? recalculateOn(sqliteStore(db), seasonId, { userId: null }, clock)
				: previewRecalculationOn(sqliteStore(db), seasonId));
			events.push('done');
			const lastSlice = events.lastIndexOf('slice');
			expect(events.filter((e) => e === 'slice').length).toBeGreaterThanOrEqual(6);
			// Both callbacks ran while slices were still to come: the run did not hold the loop.
			expect(events.indexOf('immediate')).toBeGreaterThan(0);
			expect(events.indexOf('immediate')).toBeLessThan(lastSlice);
			expect(events.indexOf('timer')).toBeLessThan(lastSlice);
		}
	);
});
