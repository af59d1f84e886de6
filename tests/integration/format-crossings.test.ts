// periodCrossings (formats/measure.ts): when each person or team first reached a sprint's
// target, read once with a running sum in SQLite. It must find what the definition finds: the
// first instant t at which the measure over [from, t + 1) reaches the target, searched by
// bisection over periodTotals (what decideSprint did before, one sum of the period per step).
import { sqliteStore } from '../../src/lib/server/db/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDb } from '../helpers/db';
import { makeContest } from '../helpers/factories';
import { recordOn } from '../helpers/record-sale';
import { reviewSales } from '../../src/lib/server/scoring/review';
import {
	periodCrossings,
	periodTotals,
	type PeriodQuery
} from '../../src/lib/server/formats/measure';
import { valueOf, type Counting, type Measure } from '../../src/lib/contest/measure';
import type { Db } from '../../src/lib/server/db';
import { createActivityType } from '../../src/lib/server/activities/types';
import { logActivity } from '../../src/lib/server/activities/record';
import { voidActivity } from '../../src/lib/server/activities/void';
import { adjustPoints } from '../../src/lib/server/scoring/adjustments';
import { decideSprint, readSprintWinner } from '../../src/lib/server/sprints/decide';

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

/** `sell(id, who, when, quantity)`: a sale of that many phones (50 points each), recorded at `now`. */
const phonesSold =
	(now: number) => (externalId: string, who: { id: number }, when: number, quantity: number) =>
		recordOn(
			db,
			{
				source: 'api',
				externalId,
				seller: { userId: who.id },
				occurredAt: when,
				lines: [{ sku: 'PHONE', quantity }]
			},
			() => now,
			{ awards: false }
		);

/** People's points over the hour before `now`. */
const lastHourPoints = (seasonId: number, now: number): PeriodQuery => ({
	seasonId,
	subject: 'user',
	measure: { kind: 'points' },
	from: now - 60 * MINUTE,
	to: now
});

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
			const sale = await recordOn(
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
		await reviewSales(
			sqliteStore(db),
			confirm,
			{ decision: 'confirm', actor: {} },
			() => now + MINUTE
		);
		await reviewSales(
			sqliteStore(db),
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
		const sell = phonesSold(now);
		await sell('a1', ann, at - MINUTE, 1); // 50 points
		await sell('a2', ann, at, 1); // 100 by `at`…
		await sell('a3', ann, at, 2); // …and 200 with this one, at the same instant
		await sell('b1', bob, at + MINUTE, 3); // 150 points
		const query = lastHourPoints(season.id, now);
		expect(periodCrossings(db, query, 100, 'confirmed').sort((a, b) => a.id - b.id)).toEqual([
			{ id: ann.id, reachedAt: at, value: 200 },
			{ id: bob.id, reachedAt: at + MINUTE, value: 150 }
		]);
		expect(periodCrossings(db, { ...query, ids: [bob.id] }, 100, 'confirmed')).toEqual([
			{ id: bob.id, reachedAt: at + MINUTE, value: 150 }
		]);
		expect(periodCrossings(db, query, 201, 'confirmed')).toEqual([]);
	});

	it('leaves out a person knocked back below the target; the scheduler finds the same winner', async () => {
		const { season, people } = await makeContest(db, { teams: 1, people: 3 });
		const now = Date.now();
		const [ann, bob, cy] = people;
		const sell = phonesSold(now);
		await sell('a1', ann, now - 50 * MINUTE, 4); // 200 points, first past 100…
		await sell('b1', bob, now - 40 * MINUTE, 3); // 150
		await sell('c1', cy, now - 30 * MINUTE, 1); // 50: never there
		// …then a manager takes 150 back from Ann: she stands at 50.
		await adjustPoints(
			sqliteStore(db),
			{ seasonId: season.id, userId: ann.id, points: -150, reason: 'fix', actor: {} },
			() => now - 20 * MINUTE
		);
		const query = lastHourPoints(season.id, now);
		expect(periodCrossings(db, query, 100, 'confirmed')).toEqual([
			{ id: bob.id, reachedAt: now - 40 * MINUTE, value: 150 }
		]);
		const race = {
			seasonId: season.id,
			subject: 'user' as const,
			measure: 'points',
			target: 100,
			startsAt: now - 60 * MINUTE,
			endsAt: now + 60 * MINUTE,
			status: 'live' as const
		};
		const s = { rankBy: 'confirmed' as const, graceDays: 0 };
		const board = decideSprint(db, race, s, now);
		const { db: storeDb, tables } = sqliteStore(db);
		const winnerAlone = (r: typeof race) => readSprintWinner(storeDb, tables, r, s, now);
		const scheduler = await winnerAlone(race);
		expect(board.winner).toEqual({ id: bob.id, reachedAt: now - 40 * MINUTE, value: 150 });
		expect(scheduler.winner).toEqual(board.winner);
		expect(scheduler.phase).toBe(board.phase);
		// Without a winner too: a target nobody stands at.
		expect(await winnerAlone({ ...race, target: 151 })).toMatchObject({
			winner: null,
			phase: decideSprint(db, { ...race, target: 151 }, s, now).phase
		});
	});

	it('reads the same entries by time as the whole ledger read with coalesce(sale, activity, written)', async () => {
		const { season, people } = await makeContest(db, { teams: 2, people: 4 });
		const now = Date.now();
		const start = now - 300 * MINUTE;
		let seed = 5;
		const random = (n: number) => {
			seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
			return seed % n;
		};
		await createActivityType(
			sqliteStore(db),
			season.id,
			{ key: 'call', name: 'Call', points: 3, emoji: '📞' },
			{}
		);
		const activities: number[] = [];
		for (let i = 0; i < 120; i += 1) {
			const who = people[random(people.length)];
			const at = start + random(300) * MINUTE;
			// Written later than it happened, as an import or a late entry is.
			const written = () => Math.min(now, at + random(120) * MINUTE);
			const kind = random(4);
			if (kind === 0)
				activities.push(
					(
						await logActivity(
							sqliteStore(db),
							{
								source: 'api',
								externalId: `a${i}`,
								person: { userId: who.id },
								type: 'call',
								quantity: 1 + random(3),
								occurredAt: at
							},
							written
						)
					).activity.id
				);
			else if (kind === 1)
				await adjustPoints(
					sqliteStore(db),
					{
						seasonId: season.id,
						userId: who.id,
						points: random(40) - 15,
						reason: 'fix',
						actor: {}
					},
					written
				);
			else {
				const sold = await recordOn(
					db,
					{
						source: 'api',
						externalId: `s${i}`,
						seller: { userId: who.id },
						occurredAt: at,
						lines: [{ sku: 'PHONE', quantity: 1 }]
					},
					written,
					{ awards: false }
				);
				if (random(6) === 0)
					await reviewSales(
						sqliteStore(db),
						[sold.sale.id],
						{ decision: 'reverse', actor: {}, reason: 'returned' },
						() => now
					);
			}
		}
		await voidActivity(
			sqliteStore(db),
			activities[0],
			{ actor: {}, reason: 'duplicate' },
			() => now
		);
		const whole = (from: number, to: number, subject: 'user_id' | 'team_id') =>
			new Map(
				db.$client
					.prepare(
						`SELECT l.${subject} AS id,
							sum(CASE WHEN l.status = 'confirmed' THEN l.points ELSE 0 END) AS confirmed,
							sum(CASE WHEN l.status = 'provisional' THEN l.points ELSE 0 END) AS provisional
						FROM ledger_entry l LEFT JOIN sale s ON s.id = l.sale_id
							LEFT JOIN activity a ON a.id = l.activity_id
						WHERE l.season_id = ? AND l.status <> 'void'
							AND coalesce(s.occurred_at, a.occurred_at, l.created_at) >= ?
							AND coalesce(s.occurred_at, a.occurred_at, l.created_at) < ?
						GROUP BY l.${subject}`
					)
					.all(season.id, from, to)
					.map((row) => {
						const r = row as { id: number; confirmed: number; provisional: number };
						return [r.id, { confirmed: r.confirmed, provisional: r.provisional }];
					})
			);
		for (let i = 0; i < 30; i += 1) {
			const from = start + random(320) * MINUTE - 10 * MINUTE;
			const to = from + (1 + random(200)) * MINUTE;
			for (const subject of ['user', 'team'] as const) {
				const query = {
					seasonId: season.id,
					subject,
					measure: { kind: 'points' as const },
					from,
					to
				};
				const all = whole(from, to, subject === 'user' ? 'user_id' : 'team_id');
				expect(periodTotals(db, query)).toEqual(all);
				// Some of them only (a duel): read another way for people, the same totals.
				const some = [...all.keys()].filter(() => random(2) === 0);
				expect(periodTotals(db, { ...query, ids: some })).toEqual(
					new Map([...all].filter(([id]) => some.includes(id)))
				);
			}
		}
	});
});
