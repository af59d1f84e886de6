// periodCrossings (formats/measure.ts): when each person or team first reached a sprint's
// target, read once with a running sum in SQLite. It must find what the definition finds: the
// first instant t at which the measure over [from, t + 1) reaches the target, searched by
// bisection over periodTotals (what decideSprint did before, one sum of the period per step).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDb } from '../helpers/db';
import { makeContest } from '../helpers/factories';
import { recordSale } from '../../src/lib/server/scoring/sales';
import { reviewSales } from '../../src/lib/server/scoring/review';
import {
	periodCrossings,
	periodTotals,
	type PeriodQuery
} from '../../src/lib/server/formats/measure';
import { valueOf, type Counting, type Measure } from '../../src/lib/contest/measure';
import type { Db } from '../../src/lib/server/db';

const MINUTE = 60_000;

let ctx: ReturnType<typeof tempDb>;
let db: Db;
beforeEach(() => {
	ctx = tempDb();
	db = ctx.db;
});
afterEach(() => ctx.cleanup());

/** The definition: bisection over the period's totals up to each instant. */
function bisected(query: PeriodQuery, id: number, target: number, counting: Counting) {
	const valueAt = (to: number) =>
		valueOf(periodTotals(db, { ...query, to, ids: [id] }).get(id), counting);
	if (valueAt(query.to) < target) return null;
	let lo = query.from;
	let hi = query.to;
	if (valueAt(lo) >= target) return { id, reachedAt: lo, value: valueAt(lo + 1) };
	while (hi - lo > 1) {
		const mid = lo + Math.floor((hi - lo) / 2);
		if (valueAt(mid) >= target) hi = mid;
		else lo = mid;
	}
	return { id, reachedAt: hi - 1, value: valueAt(hi) };
}

describe('periodCrossings', () => {
	it('finds the crossing bisection finds, for every measure, subject and counting', async () => {
		const { season, people, teams } = await makeContest(db, {
			teams: 3,
			people: 6,
			requireConfirmation: true
		});
		const now = Date.now();
		const from = now - 600 * MINUTE;
		let seed = 11;
		const random = (n: number) => {
			seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
			return seed % n;
		};
		const ids: number[] = [];
		for (let i = 0; i < 160; i += 1) {
			const seller = people[random(people.length)];
			// Minutes apart, and often on the same minute: same-instant entries count together.
			const at = from - 30 * MINUTE + random(640) * MINUTE;
			const sku = ['PHONE', 'CASE'][random(2)];
			const sale = recordSale(
				db,
				{
					source: 'api',
					externalId: `s${i}`,
					seller: { userId: seller.id },
					occurredAt: Math.min(at, now - 1),
					lines: [{ sku, quantity: 1 + random(3) }]
				},
				() => now,
				{ awards: false }
			);
			ids.push(sale.sale.id);
		}
		// Some confirmed, some reversed after confirmation (gone from the whole window), some left.
		const confirm = ids.filter(() => random(3) !== 0);
		reviewSales(db, confirm, { decision: 'confirm', actor: {} }, () => now + MINUTE);
		reviewSales(
			db,
			confirm.filter(() => random(5) === 0),
			{ decision: 'reverse', actor: {}, reason: 'returned' },
			() => now + 2 * MINUTE
		);

		const measures: Measure[] = [
			{ kind: 'points' },
			{ kind: 'sales' },
			{ kind: 'category', category: 'Phones' }
		];
		let crossed = 0;
		for (const measure of measures)
			for (const subject of ['user', 'team'] as const)
				for (const counting of ['confirmed', 'total'] as const) {
					const query: PeriodQuery = { seasonId: season.id, subject, measure, from, to: now };
					const totals = periodTotals(db, query);
					for (const target of [1, 3, 40, 150, 400]) {
						const found = periodCrossings(db, query, target, counting).sort((a, b) => a.id - b.id);
						const expected = (subject === 'user' ? people : teams)
							.map((s) => s.id)
							.filter((id) => totals.has(id))
							.map((id) => bisected(query, id, target, counting))
							.filter((c) => c !== null)
							.sort((a, b) => a.id - b.id);
						expect(found, `${measure.kind} ${subject} ${counting} ${target}`).toEqual(expected);
						crossed += found.length;
					}
				}
		// The data crosses often enough for the comparison to mean something.
		expect(crossed).toBeGreaterThan(100);
	});

	it('counts every entry of the crossing instant, and only the subjects asked for', async () => {
		const { season, people } = await makeContest(db, { teams: 1, people: 2 });
		const now = Date.now();
		const [ann, bob] = people;
		const at = now - 10 * MINUTE;
		const sell = (id: string, who: (typeof people)[number], when: number, quantity: number) =>
			recordSale(
				db,
				{
					source: 'api',
					externalId: id,
					seller: { userId: who.id },
					occurredAt: when,
					lines: [{ sku: 'PHONE', quantity }]
				},
				() => now,
				{ awards: false }
			);
		sell('a1', ann, at - MINUTE, 1); // 50 points
		sell('a2', ann, at, 1); // 100 by `at`…
		sell('a3', ann, at, 2); // …and 200 with this one, at the same instant
		sell('b1', bob, at + MINUTE, 3); // 150 points
		const query: PeriodQuery = {
			seasonId: season.id,
			subject: 'user',
			measure: { kind: 'points' },
			from: now - 60 * MINUTE,
			to: now
		};
		expect(periodCrossings(db, query, 100, 'confirmed').sort((a, b) => a.id - b.id)).toEqual([
			{ id: ann.id, reachedAt: at, value: 200 },
			{ id: bob.id, reachedAt: at + MINUTE, value: 150 }
		]);
		expect(periodCrossings(db, { ...query, ids: [bob.id] }, 100, 'confirmed')).toEqual([
			{ id: bob.id, reachedAt: at + MINUTE, value: 150 }
		]);
		expect(periodCrossings(db, query, 201, 'confirmed')).toEqual([]);
	});
});
