import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest, makeUser, standingsVsLedger } from '../helpers/factories';
import type { Db } from '../../src/lib/server/db';
import { rule, sale, standing, season } from '../../src/lib/server/db/schema';
import { recordOn } from '../helpers/record-sale';
import { reviewSales, autoConfirm } from '../../src/lib/server/scoring/review';
import { adjustPoints } from '../../src/lib/server/scoring/adjustments';
import { sqliteStore } from '../../src/lib/server/db/store';
import {
	previewRecalculationOn,
	recalculateOn
} from '../../src/lib/server/scoring/recalculate-run-store';
import { AppError } from '../../src/lib/server/shared/errors';
import { mulberry32 } from '../../src/lib/seeded-random';

let ctx: ReturnType<typeof tempDb>;
beforeEach(() => (ctx = tempDb()));
afterEach(() => ctx.cleanup());

function expectConsistent(db: Db, seasonId: number) {
	const { stored, fromLedger } = standingsVsLedger(db, seasonId);
	// Subjects whose entries net to zero may have a stored row of zeros; compare non-zero totals.
	const nonZero = (rows: typeof stored) =>
		rows.filter((r) => r.confirmed !== 0 || r.provisional !== 0);
	expect(nonZero(stored)).toEqual(nonZero(fromLedger));
	const counted = db.get<{ n: number }>(
		sql`select count(*) as n from sale where season_id = ${seasonId} and status in ('pending', 'approved')`
	)!.n;
	const storedCount = db.get<{ n: number }>(
		sql`select coalesce(sum(sales_count), 0) as n from standing where season_id = ${seasonId} and subject_type = 'user'`
	)!.n;
	expect(storedCount).toBe(counted);
}

describe('ledger and standings stay consistent', () => {
	it('after 1,000 random register/confirm/reject/reverse/adjust operations', async () => {
		const { db } = ctx;
		const { season: s, people } = await makeContest(db, {
			teams: 3,
			people: 9,
			requireConfirmation: true
		});
		const manager = await makeUser(db, { role: 'manager' });
		db.insert(rule)
			.values([
				{
					seasonId: s.id,
					name: 'Cross-sell',
					target: { kind: 'category', category: 'Phones' },
					effect: { kind: 'cross_sell_multiplier', withCategory: 'Accessories', factor: 3 }
				},
				{
					seasonId: s.id,
					name: 'First sale',
					target: { kind: 'any' },
					effect: { kind: 'first_sale_bonus', points: 7 },
					dailyCap: 7
				},
				{
					seasonId: s.id,
					name: 'Big basket',
					target: { kind: 'any' },
					effect: { kind: 'amount_bonus', minAmount: 200000, points: 25 }
				}
			])
			.run();
		const next = mulberry32(7);
		const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)];
		const now = Date.now();
		const counts = {
			register: 0,
			duplicate: 0,
			confirm: 0,
			reject: 0,
			reverse: 0,
			adjust: 0,
			refused: 0
		};
		let externalId = 0;

		for (let op = 0; op < 1000; op++) {
			const roll = next();
			const saleIds = db
				.select({ id: sale.id })
				.from(sale)
				.all()
				.map((r) => r.id);
			try {
				if (roll < 0.45 || saleIds.length === 0) {
					const duplicate = externalId > 0 && next() < 0.1;
					const lines = [
						{ sku: pick(['PHONE', 'CASE', 'PHONE']), quantity: 1 + Math.floor(next() * 3) }
					];
					if (next() < 0.4) lines.push({ sku: 'CASE', quantity: 1 });
					await recordOn(
						db,
						{
							source: pick(['api', 'web']),
							externalId: String(duplicate ? Math.ceil(next() * externalId) : ++externalId),
							seller: { userId: pick(people).id },
							occurredAt: now - Math.floor(next() * 10 * 24 * 60 * 60 * 1000),
							lines
						},
						() => now + op
					);
					counts[duplicate ? 'duplicate' : 'register'] += 1;
				} else if (roll < 0.65) {
					await reviewSales(
						sqliteStore(db),
						[pick(saleIds)],
						{ decision: 'confirm', actor: { userId: manager.id } },
						() => now + op
					);
					counts.confirm += 1;
				} else if (roll < 0.75) {
					await reviewSales(
						sqliteStore(db),
						[pick(saleIds)],
						{ decision: 'reject', actor: { userId: manager.id }, reason: 'no invoice' },
						() => now + op
					);
					counts.reject += 1;
				} else if (roll < 0.85) {
					await reviewSales(
						sqliteStore(db),
						[pick(saleIds), pick(saleIds)],
						{ decision: 'reverse', actor: { userId: manager.id }, reason: 'refund' },
						() => now + op
					);
					counts.reverse += 1;
				} else {
					const points = Math.round((next() - 0.4) * 50) || 1;
					await adjustPoints(
						sqliteStore(db),
						{
							seasonId: s.id,
							userId: pick(people).id,
							points,
							reason: 'correction',
							actor: { userId: manager.id }
						},
						() => now + op
					);
					counts.adjust += 1;
				}
			} catch (error) {
				if (!(error instanceof AppError)) throw error;
				counts.refused += 1;
			}
			if (op % 100 === 99) expectConsistent(db, s.id);
		}

		// A rule change followed by an explicit recalculation keeps the books straight too.
		db.update(rule).set({ active: false }).where(eq(rule.name, 'Cross-sell')).run();
		const plan = await previewRecalculationOn(sqliteStore(db), s.id);
		expect(plan.changes.length).toBeGreaterThan(0);
		await recalculateOn(sqliteStore(db), s.id, { userId: manager.id });
		expectConsistent(db, s.id);
		expect((await previewRecalculationOn(sqliteStore(db), s.id)).changes).toEqual([]);

		// Every kind of operation really happened.
		for (const [kind, n] of Object.entries(counts)) expect(n, kind).toBeGreaterThan(0);
	});

	it('confirm moves points from provisional to confirmed; reject and reverse compensate; repeats are harmless', async () => {
		const { db } = ctx;
		const { season: s, people } = await makeContest(db, { requireConfirmation: true });
		const manager = await makeUser(db, { role: 'manager' });
		const [anna, ben] = people;
		const mk = (id: string, seller = anna) =>
			recordOn(db, {
				source: 'api',
				externalId: id,
				seller: { userId: seller.id },
				occurredAt: Date.now() - 1000,
				lines: [{ sku: 'PHONE', quantity: 1 }]
			});
		const totals = (userId: number) =>
			db
				.select()
				.from(standing)
				.where(eq(standing.subjectId, userId))
				.all()
				.find((r) => r.subjectType === 'user')!;

		const a = await mk('a');
		const b = await mk('b');
		const c = await mk('c', ben);
		expect(a.sale).toMatchObject({ status: 'pending', points: 50 });
		expect(totals(anna.id)).toMatchObject({
			confirmedPoints: 0,
			provisionalPoints: 100,
			salesCount: 2
		});

		const actor = { userId: manager.id };
		expect(
			(await reviewSales(sqliteStore(db), [a.sale.id], { decision: 'confirm', actor }))[0]
		).toMatchObject({
			changed: true,
			sale: { status: 'approved' }
		});
		expect(
			(await reviewSales(sqliteStore(db), [a.sale.id], { decision: 'confirm', actor }))[0].changed
		).toBe(false);
		expect(totals(anna.id)).toMatchObject({ confirmedPoints: 50, provisionalPoints: 50 });

		await expect(
			reviewSales(sqliteStore(db), [b.sale.id], { decision: 'reject', actor })
		).rejects.toThrow(/reason/);
		await reviewSales(sqliteStore(db), [b.sale.id], {
			decision: 'reject',
			actor,
			reason: 'duplicate invoice'
		});
		expect(totals(anna.id)).toMatchObject({
			confirmedPoints: 50,
			provisionalPoints: 0,
			salesCount: 1
		});
		await expect(
			reviewSales(sqliteStore(db), [b.sale.id], { decision: 'confirm', actor })
		).rejects.toThrow(AppError);

		await reviewSales(sqliteStore(db), [a.sale.id], {
			decision: 'reverse',
			actor,
			reason: 'refund'
		});
		await reviewSales(sqliteStore(db), [a.sale.id], {
			decision: 'reverse',
			actor,
			reason: 'refund'
		});
		expect(totals(anna.id)).toMatchObject({
			confirmedPoints: 0,
			provisionalPoints: 0,
			salesCount: 0
		});

		// Nobody decides on their own sale, even a manager who also sells.
		await expect(
			reviewSales(sqliteStore(db), [c.sale.id], { decision: 'confirm', actor: { userId: ben.id } })
		).rejects.toThrow(/own sale/);
		expectConsistent(db, s.id);
	});

	it('auto-confirms pending sales older than the season setting', async () => {
		const { db } = ctx;
		const { season: s, people } = await makeContest(db, { requireConfirmation: true });
		db.update(season).set({ autoConfirmDays: 3 }).where(eq(season.id, s.id)).run();
		const DAY = 24 * 60 * 60 * 1000;
		const now = Date.now();
		for (const [i, age] of [5, 2, 4].entries()) {
			await recordOn(db, {
				source: 'api',
				externalId: `x${i}`,
				seller: { userId: people[0].id },
				occurredAt: now - age * DAY,
				lines: [{ sku: 'CASE', quantity: 1 }]
			});
		}
		expect(await autoConfirm(sqliteStore(db), () => now)).toBe(2);
		expect(await autoConfirm(sqliteStore(db), () => now)).toBe(0);
		expect(
			db
				.select({ status: sale.status })
				.from(sale)
				.all()
				.map((r) => r.status)
				.sort()
		).toEqual(['approved', 'approved', 'pending']);
		expectConsistent(db, s.id);
	});
});
