// The season recalculation after a rule change runs person by person in slices that yield
// (scoring/recalculate-run.ts, issue #13). Sliced, it must give what the one-block
// recalculation gives, count a sale recorded between two slices once and with the new rules,
// merge requests made while it runs, preview what it then applies, and let the event loop turn.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest, makeUser, standingsVsLedger } from '../helpers/factories';
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
import { auditEvent, ledgerEntry, personDay, rule, sale } from '../../src/lib/server/db/schema';
import type { Db } from '../../src/lib/server/db';
import { recomputeDay } from '../../src/lib/server/scoring/person-day';

const HOUR = 60 * 60 * 1000;
const NOW = Date.now();
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
	observeRecalculationSlices(undefined);
	for (const ctx of opened.splice(0)) {
		await recalculationsSettled(ctx.db);
		ctx.cleanup();
	}
});

/**
 * A season of six people with three days of sales scored under one rule, some of them rejected
 * or reversed; then the rules change: a first-sale bonus, phones doubled up to 300 a day, a
 * big-basket bonus up to 50 a day. The same seed gives the same season.
 */
async function changedSeason(seed = 7) {
	const ctx = tempDb();
	opened.push(ctx);
	const db = ctx.db;
	const random = mulberry32(seed);
	const contest = await makeContest(db, { teams: 2, people: 6, requireConfirmation: true });
	const seasonId = contest.season.id;
	const manager = await makeUser(db, { role: 'manager' });
	db.insert(rule)
		.values({
			seasonId,
			name: 'Cases triple',
			target: { kind: 'sku', sku: 'CASE' },
			effect: { kind: 'multiplier', factor: 3 }
		})
		.run();
	const ids: number[] = [];
	for (let n = 0; n < 90; n++) {
		const seller = contest.people[Math.floor(random() * contest.people.length)];
		const result = recordSale(
			db,
			{
				source: 'api',
				externalId: `s-${n}`,
				seller: { userId: seller.id },
				occurredAt: NOW - Math.floor(random() * 72 * HOUR),
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
		);
		ids.push(result.sale.id);
	}
	for (const [i, decision] of [
		[5, 'reject'],
		[17, 'confirm'],
		[23, 'confirm'],
		[23, 'reverse'],
		[40, 'reject']
	] as const)
		reviewSales(db, [ids[i]], { decision, actor: { userId: manager.id }, reason: 'r' }, clock);
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
	return { db, seasonId, contest, manager };
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
		.map(({ userId, before, after }) => ({
			userId,
			before,
			after
		}));

const recalculations = (db: Db) =>
	db.select().from(auditEvent).where(eq(auditEvent.action, 'season.recalculate')).all();

describe('season recalculation in slices', () => {
	it('gives what the one-block recalculation gives, slice by slice', async () => {
		const sliced = await changedSeason();
		const block = await changedSeason();
		let slices = 0;
		observeRecalculationSlices(() => (slices += 1));
		const a = await recalculateInSlices(sliced.db, sliced.seasonId, { userId: null }, clock);
		const b = recalculateSeason(block.db, block.seasonId, { userId: null }, clock);
		expect(slices).toBeGreaterThanOrEqual(6);
		expect(a.changes.length).toBeGreaterThan(10);
		expect(recalculationTotals(a)).toEqual(recalculationTotals(b));
		expect(byPerson(a)).toEqual(byPerson(b));
		expect(outcome(sliced.db, sliced.seasonId)).toEqual(outcome(block.db, block.seasonId));
		const s = standingsVsLedger(sliced.db, sliced.seasonId);
		expect(s.stored).toEqual(s.fromLedger);
		// One audit entry with the totals, and nothing left to change.
		const audits = recalculations(sliced.db);
		expect(audits).toHaveLength(1);
		expect(audits[0].data).toEqual(recalculationTotals(a));
		expect(planRecalculation(sliced.db, sliced.seasonId).changes).toEqual([]);
	});

	it('counts a sale recorded between two slices once, with the new rules', async () => {
		const { db, seasonId, contest } = await changedSeason();
		const [first, , , , , last] = [...contest.people].sort((x, y) => x.id - y.id);
		// The days of the last person were filled from the old breakdowns: the new sale of theirs
		// is scored from stale day totals and must be set right by their step, after it.
		const sellAt = (seller: number, externalId: string) =>
			recordSale(
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
			).sale.id;
		const added: number[] = [];
		let slices = 0;
		observeRecalculationSlices(() => {
			slices += 1;
			// After the first person's step (theirs is done) and before the last person's.
			if (slices === 2) added.push(sellAt(first.id, 'mid-first'), sellAt(last.id, 'mid-last'));
		});
		await recalculateInSlices(db, seasonId, { userId: null }, clock);
		expect(added).toHaveLength(2);
		const adjusted = (id: number) =>
			db
				.select()
				.from(ledgerEntry)
				.where(and(eq(ledgerEntry.saleId, id), eq(ledgerEntry.kind, 'adjustment')))
				.all().length;
		// The first person's sale came after their step: scored right at once, never adjusted.
		// The last person's was scored from day totals of the old rules, and set right by their step.
		expect(adjusted(added[0])).toBe(0);
		expect(adjusted(added[1])).toBe(1);
		// Everything now has the points today's rules give, the new sales too.
		expect(planRecalculation(db, seasonId).changes).toEqual([]);
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
		for (const d of db.select().from(personDay).where(eq(personDay.seasonId, seasonId)).all()) {
			const key = { seasonId, userId: d.userId, day: d.day };
			expect({ sales: d.sales, points: d.points }).toMatchObject(
				(({ sales, points }) => ({ sales, points }))(recomputeDay(db, key, 'UTC'))
			);
		}
	});

	it('merges the requests made while one runs into one more run', async () => {
		const { db, seasonId, manager } = await changedSeason();
		const firstRun = recalculateInSlices(db, seasonId, { userId: manager.id }, clock);
		const second = recalculateInSlices(db, seasonId, { userId: manager.id }, clock);
		const third = recalculateInSlices(db, seasonId, { userId: manager.id }, clock);
		const [a, b, c] = await Promise.all([firstRun, second, third]);
		expect(a.changes.length).toBeGreaterThan(0);
		// One run after the first for both later requests, and it had nothing left to do.
		expect(b).toBe(c);
		expect(b.changes).toEqual([]);
		expect(recalculations(db)).toHaveLength(2);
	});

	it('previews what it then applies', async () => {
		const { db, seasonId } = await changedSeason();
		const preview = await previewRecalculation(db, seasonId);
		const block = planRecalculation(db, seasonId);
		// The preview changed nothing.
		expect(recalculations(db)).toHaveLength(0);
		expect(planRecalculation(db, seasonId)).toEqual(block);
		const applied = await recalculateInSlices(db, seasonId, { userId: null }, clock);
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
			observeRecalculationSlices(() => events.push('slice'));
			const done =
				mode === 'apply'
					? recalculateInSlices(db, seasonId, { userId: null }, clock)
					: previewRecalculation(db, seasonId);
			setImmediate(() => events.push('immediate'));
			setTimeout(() => events.push('timer'), 0);
			await done;
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
