// Sprints and knockouts (#17) driven by the scheduler's jobs on a fake clock: a sprint to its
// winner (and a reversal in the grace period that changes it), a 5-entrant knockout with byes
// through all its rounds (a reversal before a round's grace end flips it), each job run twice.
import { sqliteStore } from '../../src/lib/server/db/store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { eq } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest, makeCup } from '../helpers/factories';
import { recordOn } from '../helpers/record-sale';
import { reviewSales } from '../../src/lib/server/scoring/review';
import { createSprint } from '../../src/lib/server/sprints/commands';
import { advanceSprints } from '../../src/lib/server/sprints/decide';
import { readSprintCards } from '../../src/lib/server/sprints/view';
import { advanceKnockouts } from '../../src/lib/server/knockouts/advance';
import { readKnockoutCard } from '../../src/lib/server/knockouts/view';
import { knockout, sprint } from '../../src/lib/server/db/schema';
import type { Db } from '../../src/lib/server/db';
import { periodTotalsReads } from '../../src/lib/server/formats/measure';

// periodTotalsReads (the period sums every bracket reads) as it is, counted: the scheduler's
// tick must not read sums it does not need.
vi.mock('../../src/lib/server/formats/measure', async (original) => {
	const actual = await original<typeof import('../../src/lib/server/formats/measure')>();
	return { ...actual, periodTotalsReads: vi.fn(actual.periodTotalsReads) };
});

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

let ctx: ReturnType<typeof tempDb>;
let db: Db;
beforeEach(() => {
	ctx = tempDb();
	db = ctx.db;
});
afterEach(() => ctx.cleanup());

let n = 0;
/** A sale of `phones` phones (50 points each) made (and recorded) at `at`. */
const sell = async (sellerId: number, at: number, phones = 1) => {
	const { sale } = await recordOn(
		db,
		{
			source: 'api',
			externalId: `s${++n}`,
			seller: { userId: sellerId },
			occurredAt: at,
			lines: [{ sku: 'PHONE', quantity: phones }]
		},
		() => at,
		{ awards: false }
	);
	return sale.id;
};
const reverse = (saleId: number, at: number) =>
	reviewSales(
		sqliteStore(db),
		[saleId],
		{ decision: 'reverse', actor: {}, reason: 'returned' },
		() => at
	);

describe('sprints', () => {
	it('the first to reach the target wins; a reversal in the grace period changes it; frozen once', async () => {
		const { season, people } = await makeContest(db, { teams: 2, people: 3 });
		const [ann, bob, cat] = people;
		const base = Date.now() - 20 * DAY;
		const { sprint: row } = await createSprint(
			sqliteStore(db),
			season.id,
			{
				name: 'First to 100',
				subject: 'user',
				measure: 'points',
				target: 100,
				startsAt: base,
				endsAt: base + 7 * DAY,
				prize: 'Lunch',
				requestId: 'sprint-request-1'
			},
			{ userId: null },
			() => base - DAY
		);
		expect(row.status).toBe('scheduled');
		await sell(ann.id, base - HOUR, 4); // before the start: does not count
		expect(await advanceSprints(sqliteStore(db), () => base + 1)).toEqual([season.id]);
		expect(db.select().from(sprint).get()?.status).toBe('live');

		await sell(ann.id, base + HOUR);
		await sell(bob.id, base + 2 * HOUR);
		const annCross = await sell(ann.id, base + 3 * HOUR);
		await sell(bob.id, base + 4 * HOUR);
		await sell(cat.id, base + 5 * HOUR);

		const at = base + 6 * HOUR;
		expect(await advanceSprints(sqliteStore(db), () => at)).toEqual([season.id]);
		let stored = db.select().from(sprint).get()!;
		expect(stored).toMatchObject({ status: 'won', winnerId: ann.id, reachedAt: base + 3 * HOUR });
		expect(await advanceSprints(sqliteStore(db), () => at)).toEqual([]);

		// The board's bars: where everyone stood when the winner crossed.
		const [card] = await readSprintCards(sqliteStore(db), season.id, at);
		expect(card.winner?.id).toBe(ann.id);
		expect(card.values[bob.id]).toBe(50);
		expect(card.values[cat.id] ?? 0).toBe(0);

		// Ann's crossing sale is reversed within the grace period: Bob crossed first now.
		await reverse(annCross, base + DAY);
		expect(await advanceSprints(sqliteStore(db), () => base + DAY)).toEqual([season.id]);
		stored = db.select().from(sprint).get()!;
		expect(stored).toMatchObject({ status: 'won', winnerId: bob.id, reachedAt: base + 4 * HOUR });

		// The season's grace (7 days) after the winning entry: final, exactly once.
		const end = base + 4 * HOUR + 7 * DAY;
		expect(await advanceSprints(sqliteStore(db), () => end - 1)).toEqual([]);
		expect(await advanceSprints(sqliteStore(db), () => end)).toEqual([season.id]);
		expect(await advanceSprints(sqliteStore(db), () => end + HOUR)).toEqual([]);
		stored = db.select().from(sprint).get()!;
		expect(stored).toMatchObject({ status: 'final', winnerId: bob.id, finalizedAt: end });
	});

	it('a double submit creates one sprint; no winner by the deadline expires it', async () => {
		const { season, people } = await makeContest(db, { teams: 1, people: 2 });
		const base = Date.now() - 20 * DAY;
		const input = {
			name: 'First to 1000',
			subject: 'team' as const,
			measure: 'points',
			target: 1000,
			startsAt: base,
			endsAt: base + DAY,
			prize: null,
			requestId: 'same-request'
		};
		const first = await createSprint(
			sqliteStore(db),
			season.id,
			input,
			{ userId: null },
			() => base
		);
		const again = await createSprint(
			sqliteStore(db),
			season.id,
			input,
			{ userId: null },
			() => base
		);
		expect(again).toMatchObject({ created: false, sprint: { id: first.sprint.id } });
		await sell(people[0].id, base + HOUR);
		await advanceSprints(sqliteStore(db), () => base + DAY);
		expect(db.select().from(sprint).get()).toMatchObject({ status: 'expired', winnerId: null });
		await advanceSprints(sqliteStore(db), () => base + 8 * DAY);
		expect(db.select().from(sprint).get()).toMatchObject({ status: 'final', winnerId: null });
	});
});

describe('knockouts', () => {
	it('seeds 5 entrants with byes, runs every round, a reversal in the grace flips a round', async () => {
		const { season, people } = await makeContest(db, { teams: 2, people: 5 });
		const [p1, p2, p3, p4, p5] = people;
		const base = Date.now() - 20 * DAY;
		// The ranking at the start seeds them 1…5.
		for (const [i, phones] of [5, 4, 3, 2, 1].entries())
			await sell(people[i].id, base - DAY, phones);
		const { knockout: k } = await makeCup(db, season.id, base, { size: 8 });
		const card = (at: number) => {
			const { db: storeDb, tables } = sqliteStore(db);
			const row = db.select().from(knockout).where(eq(knockout.id, k.id)).get()!;
			return readKnockoutCard(storeDb, tables, row, at);
		};
		const winners = async (at: number) =>
			(await card(at)).rounds.map((r) => r.matches.map((m) => m.winnerId));

		expect(await advanceKnockouts(sqliteStore(db), () => base - 1)).toEqual([]);
		expect(await advanceKnockouts(sqliteStore(db), () => base)).toEqual([season.id]);
		expect(await advanceKnockouts(sqliteStore(db), () => base)).toEqual([]);
		const seeded = await card(base);
		expect(seeded.rounds[0].matches.map((m) => [m.a?.seed, m.b?.seed ?? null])).toEqual([
			[1, null],
			[4, 5],
			[2, null],
			[3, null]
		]);
		// Byes are through; 4 v 5 stands at 0–0, which the better seed leads.
		expect((await winners(base))[0]).toEqual([p1.id, p4.id, p2.id, p3.id]);
		expect((await card(base)).rounds[0].matches.map((m) => m.decided)).toEqual([
			true,
			false,
			true,
			true
		]);

		// Round 1: seed 5 passes seed 4 (100 v 50).
		const p4Round1 = await sell(p4.id, base + HOUR);
		await sell(p5.id, base + 2 * HOUR);
		const late = await sell(p5.id, base + 3 * HOUR);
		const inGrace = base + DAY + HOUR;
		expect(await advanceKnockouts(sqliteStore(db), () => inGrace)).toEqual([]);
		expect((await winners(inGrace))[0][1]).toBe(p5.id);
		expect((await card(inGrace)).rounds[1].matches[0].b?.id).toBe(p5.id);

		// Reversed before the round's grace end: 50 v 50, the tie goes to the better seed (4).
		await reverse(late, inGrace);
		expect((await winners(inGrace))[0][1]).toBe(p4.id);
		// Seed 4 sold in round 2 before the freeze: it counts, round 2 is its period.
		await sell(p4.id, base + DAY + 90 * 60 * 1000);

		const freeze1 = base + DAY + 2 * HOUR;
		expect(await advanceKnockouts(sqliteStore(db), () => freeze1)).toEqual([season.id]);
		expect(await advanceKnockouts(sqliteStore(db), () => freeze1)).toEqual([]);
		expect(db.select().from(knockout).get()?.roundsFrozen).toBe(1);
		// After the freeze a reversal no longer changes round 1.
		await reverse(p4Round1, freeze1 + HOUR);
		await sell(p3.id, base + DAY + 3 * HOUR);
		expect((await card(freeze1 + HOUR)).rounds[0].matches[1]).toMatchObject({
			winnerId: p4.id,
			aValue: 50,
			bValue: 50,
			decided: true
		});

		// Round 2: 1 v 4 → 4 (50 v 0); 2 v 3 → 3 (50 v 0).
		const freeze2 = base + 2 * DAY + 2 * HOUR;
		expect(await advanceKnockouts(sqliteStore(db), () => freeze2)).toEqual([season.id]);
		expect((await winners(freeze2))[1]).toEqual([p4.id, p3.id]);

		// The final: 4 v 3, 3 sells twice.
		await sell(p3.id, base + 2 * DAY + 5 * HOUR, 2);
		const end = base + 3 * DAY + 2 * HOUR;
		expect(await advanceKnockouts(sqliteStore(db), () => end - 1)).toEqual([]);
		expect(await advanceKnockouts(sqliteStore(db), () => end)).toEqual([season.id]);
		expect(await advanceKnockouts(sqliteStore(db), () => end)).toEqual([]);
		expect(db.select().from(knockout).get()).toMatchObject({
			status: 'final',
			winnerId: p3.id,
			roundsFrozen: 3,
			finalizedAt: end
		});
		expect((await card(end)).winner?.id).toBe(p3.id);
	});

	it('a tick reads no sums while no round is due to freeze, and freezes the same when one is', async () => {
		const { season, people } = await makeContest(db, { teams: 2, people: 4 });
		const [, , p3, p4] = people;
		const base = Date.now() - 20 * DAY;
		for (const [i, phones] of [4, 3, 2, 1].entries()) await sell(people[i].id, base - DAY, phones);
		await makeCup(db, season.id, base);
		expect(await advanceKnockouts(sqliteStore(db), () => base)).toEqual([season.id]);
		// Round 1 (1 v 4, 2 v 3): seeds 4 and 3 sell.
		await sell(p4.id, base + HOUR);
		await sell(p3.id, base + 2 * HOUR);
		const sums = vi.mocked(periodTotalsReads);
		sums.mockClear();
		for (const at of [base + HOUR, base + DAY - 1, base + DAY + HOUR, base + DAY + 2 * HOUR - 1])
			expect(await advanceKnockouts(sqliteStore(db), () => at)).toEqual([]);
		expect(sums).not.toHaveBeenCalled();
		expect(db.select().from(knockout).get()?.roundsFrozen).toBe(0);
		// Due: the round is read and frozen as before.
		const freeze1 = base + DAY + 2 * HOUR;
		expect(await advanceKnockouts(sqliteStore(db), () => freeze1)).toEqual([season.id]);
		expect(sums).toHaveBeenCalled();
		expect(db.select().from(knockout).get()?.roundsFrozen).toBe(1);
		const { db: storeDb, tables } = sqliteStore(db);
		const frozen = await readKnockoutCard(
			storeDb,
			tables,
			db.select().from(knockout).get()!,
			freeze1
		);
		expect(frozen.rounds[0].matches.map((m) => [m.winnerId, m.aValue, m.bValue])).toEqual([
			[p4.id, 0, 50],
			[p3.id, 0, 50]
		]);
		expect(frozen.rounds[1].matches[0]).toMatchObject({ a: { id: p4.id }, b: { id: p3.id } });
	});
});
