// periodTotals (formats/measure.ts): the one ledger query behind every contest format.
import { sqliteStore } from '../../src/lib/server/db/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDb } from '../helpers/db';
import { makeContest } from '../helpers/factories';
import { recordOn } from '../helpers/record-sale';
import { reviewSales } from '../../src/lib/server/scoring/review';
import { periodTotals } from '../../src/lib/server/formats/measure';
import { createActivityType } from '../../src/lib/server/activities/types';
import { logActivity } from '../../src/lib/server/activities/record';
import type { Db } from '../../src/lib/server/db';

const HOUR = 60 * 60 * 1000;

let ctx: ReturnType<typeof tempDb>;
let db: Db;
beforeEach(() => {
	ctx = tempDb();
	db = ctx.db;
});
afterEach(() => ctx.cleanup());

describe('periodTotals', () => {
	it('counts each sale in the period it was made, with confirmations and reversals', async () => {
		const { season, teams, people } = await makeContest(db, {
			teams: 2,
			people: 4,
			requireConfirmation: true
		});
		const now = Date.now();
		const [ann, bob] = people;
		const sell = (id: string, seller: (typeof people)[number], at: number, sku = 'PHONE') =>
			recordOn(
				db,
				{
					source: 'api',
					externalId: id,
					seller: { userId: seller.id },
					occurredAt: at,
					lines: [{ sku, quantity: 1 }]
				},
				() => now,
				{ awards: false }
			);
		const inside = await sell('a1', ann, now - 2 * HOUR);
		await sell('a2', ann, now - 3 * HOUR, 'CASE');
		await sell('b1', bob, now - 2 * HOUR);
		await sell('old', ann, now - 30 * HOUR); // before the period
		const period = { seasonId: season.id, from: now - 24 * HOUR, to: now };

		let points = periodTotals(db, { ...period, subject: 'user', measure: { kind: 'points' } });
		expect(points.get(ann.id)).toEqual({ confirmed: 0, provisional: 55 });
		expect(points.get(bob.id)).toEqual({ confirmed: 0, provisional: 50 });

		// Confirmed later (a day after it was made): still in the period it was made in.
		await reviewSales(
			sqliteStore(db),
			[inside.sale.id],
			{ decision: 'confirm', actor: {} },
			() => now + 24 * HOUR
		);
		points = periodTotals(db, { ...period, subject: 'user', measure: { kind: 'points' } });
		expect(points.get(ann.id)).toEqual({ confirmed: 50, provisional: 5 });

		const sales = periodTotals(db, { ...period, subject: 'user', measure: { kind: 'sales' } });
		expect(sales.get(ann.id)).toEqual({ confirmed: 1, provisional: 1 });

		const phones = periodTotals(db, {
			...period,
			subject: 'user',
			measure: { kind: 'category', category: 'Phones' }
		});
		expect(phones.get(ann.id)).toEqual({ confirmed: 50, provisional: 0 });

		// Reversed: the period's totals lose it, whenever the reversal is written.
		await reviewSales(
			sqliteStore(db),
			[inside.sale.id],
			{ decision: 'reverse', actor: {}, reason: 'returned' },
			() => now + 48 * HOUR
		);
		points = periodTotals(db, { ...period, subject: 'user', measure: { kind: 'points' } });
		expect(points.get(ann.id)).toEqual({ confirmed: 0, provisional: 5 });
		expect(
			periodTotals(db, { ...period, subject: 'user', measure: { kind: 'sales' } }).get(ann.id)
		).toEqual({ confirmed: 0, provisional: 1 });

		// Teams, and a subset of subjects.
		const byTeam = periodTotals(db, { ...period, subject: 'team', measure: { kind: 'points' } });
		expect(byTeam.get(teams[0].id)?.provisional).toBe(5);
		expect(byTeam.get(teams[1].id)?.provisional).toBe(50);
		const onlyBob = periodTotals(db, {
			...period,
			subject: 'user',
			measure: { kind: 'points' },
			ids: [bob.id]
		});
		expect([...onlyBob.keys()]).toEqual([bob.id]);
	});
});

describe('periodTotals of activities (#17)', () => {
	it('counts an activity in the period it happened, by type and in the points', async () => {
		const { season, teams, people } = await makeContest(db, { teams: 2, people: 2 });
		const now = Date.now();
		const [ann, bob] = people;
		await createActivityType(
			sqliteStore(db),
			season.id,
			{ key: 'call', name: 'Call', points: 2, emoji: '📞' },
			{}
		);
		await createActivityType(
			sqliteStore(db),
			season.id,
			{ key: 'visit', name: 'Visit', points: 10, emoji: '🤝' },
			{}
		);
		const log = (
			id: string,
			who: (typeof people)[number],
			type: string,
			quantity: number,
			at: number
		) =>
			logActivity(
				sqliteStore(db),
				{
					source: 'api',
					externalId: id,
					person: { userId: who.id },
					type,
					quantity,
					occurredAt: at
				},
				// Logged a day after it happened: it still counts when it happened.
				() => now + 24 * HOUR
			);
		await log('c1', ann, 'call', 3, now - 2 * HOUR);
		await log('v1', ann, 'visit', 1, now - 3 * HOUR);
		await log('c2', bob, 'call', 1, now - 2 * HOUR);
		await log('old', ann, 'call', 5, now - 30 * HOUR); // before the period
		const period = { seasonId: season.id, from: now - 24 * HOUR, to: now };

		const calls = periodTotals(db, {
			...period,
			subject: 'user',
			measure: { kind: 'activity', type: 'call' }
		});
		expect(calls.get(ann.id)).toEqual({ confirmed: 6, provisional: 0 });
		expect(calls.get(bob.id)).toEqual({ confirmed: 2, provisional: 0 });
		const visits = periodTotals(db, {
			...period,
			subject: 'team',
			measure: { kind: 'activity', type: 'visit' }
		});
		expect([...visits.entries()]).toEqual([[teams[0].id, { confirmed: 10, provisional: 0 }]]);
		// The points measure counts them too, at the time they happened (not when logged).
		const points = periodTotals(db, { ...period, subject: 'user', measure: { kind: 'points' } });
		expect(points.get(ann.id)).toEqual({ confirmed: 16, provisional: 0 });
		const later = periodTotals(db, {
			...period,
			from: now,
			to: now + 48 * HOUR,
			subject: 'user',
			measure: { kind: 'points' }
		});
		expect(later.get(ann.id)).toBeUndefined();
		expect(
			periodTotals(db, { ...period, subject: 'user', measure: { kind: 'activity', type: 'demo' } })
				.size
		).toBe(0);
	});
});
