// The recalculation's slices are bounded by time, not by a fixed chunk (issue #13): a slice asks
// for a chunk no bigger than what is left of its budget pays for, so a slice whose budget is
// spent takes the smallest chunk (one local day) rather than CHUNK_SALES sales past it. People
// are sought one after the other instead of read all at once. Same results as one slice.
import { read, sqliteStore } from '../../src/lib/server/db/store';
import { afterEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { makeContest, standingsVsLedger } from '../helpers/factories';
import {
	addDailyCapRules,
	byPerson,
	closeTempDbs,
	openTempDb,
	previewAtOnce,
	recalculateAtOnce,
	recalculationOutcome
} from '../helpers/daily-caps';
import { recordOn } from '../helpers/record-sale';
import { logActivity } from '../../src/lib/server/activities/record';
import { createActivityType } from '../../src/lib/server/activities/types';
import { recalculationTotals } from '../../src/lib/server/scoring/recalculate';
import {
	observeRecalculationSlices,
	setRecalculationSliceMs
} from '../../src/lib/server/scoring/recalculate-slices';
import {
	previewRecalculationOn,
	recalculateOn
} from '../../src/lib/server/scoring/recalculate-run-store';
import {
	nextRecalculationPersonInWrite,
	recalculationDoersInWrite
} from '../../src/lib/server/scoring/recalculate-store';
import { activity, sale } from '../../src/lib/server/db/schema';
import type { Db } from '../../src/lib/server/db';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const NOW = Math.floor(Date.now() / DAY) * DAY + 12 * HOUR;
const clock = () => NOW;

afterEach(async () => {
	setRecalculationSliceMs(undefined);
	observeRecalculationSlices(undefined);
	await closeTempDbs();
});

async function sell(db: Db, seller: number, externalId: string, occurredAt: number) {
	const recorded = await recordOn(
		db,
		{
			source: 'api',
			externalId,
			seller: { userId: seller },
			occurredAt,
			lines: [{ sku: 'PHONE', quantity: 2, unitPrice: 99900 }]
		},
		clock,
		{ awards: false }
	);
	return recorded.sale.id;
}

/** One seller with a sale on each of the last 20 days, another with 3; new rules after. */
async function twentyDays() {
	const db = openTempDb();
	const contest = await makeContest(db, { teams: 1, people: 2 });
	const seasonId = contest.season.id;
	const [many, few] = [...contest.people].sort((a, b) => a.id - b.id);
	for (let day = 20; day >= 1; day--) await sell(db, many.id, `m${day}`, NOW - day * DAY);
	for (let day = 3; day >= 1; day--) await sell(db, few.id, `f${day}`, NOW - day * DAY + HOUR);
	addDailyCapRules(db, seasonId);
	return { db, seasonId };
}

/** Everyone a recalculation must look at: sellers and people with a counted activity, by id. */
function sellersAndDoers(db: Db, seasonId: number): number[] {
	const sellers = db
		.selectDistinct({ id: sale.sellerId })
		.from(sale)
		.where(eq(sale.seasonId, seasonId))
		.all();
	const doers = db
		.selectDistinct({ id: activity.userId })
		.from(activity)
		.where(and(eq(activity.seasonId, seasonId), eq(activity.status, 'counted')))
		.all();
	return [...new Set([...sellers, ...doers].map((r) => r.id))].sort((a, b) => a - b);
}

describe('recalculation slices bounded by time', () => {
	it('takes one day per slice once the budget is spent, with what one slice gives', async () => {
		// A budget no step fits in: every slice takes the smallest chunk, one local day (the
		// fixed chunks of 64 sales took the first seller's 20 days in one slice).
		setRecalculationSliceMs(0.001);
		const sliced = await twentyDays();
		const block = await twentyDays();
		const b = await recalculateAtOnce(block.db, block.seasonId, { userId: null }, clock);
		let previewSlices = 0;
		observeRecalculationSlices(() => (previewSlices += 1));
		const preview = await previewRecalculationOn(sqliteStore(sliced.db), sliced.seasonId);
		let slices = 0;
		observeRecalculationSlices(() => (slices += 1));
		const a = await recalculateOn(sqliteStore(sliced.db), sliced.seasonId, { userId: null }, clock);
		expect(previewSlices).toBeGreaterThanOrEqual(23);
		expect(slices).toBeGreaterThanOrEqual(23);
		expect(a.changes.length).toBe(23);
		expect(recalculationTotals(preview)).toEqual(recalculationTotals(a));
		expect(recalculationTotals(a)).toEqual(recalculationTotals(b));
		expect(byPerson(a)).toEqual(byPerson(b));
		expect(recalculationOutcome(sliced.db, sliced.seasonId)).toEqual(
			recalculationOutcome(block.db, block.seasonId)
		);
		const s = standingsVsLedger(sliced.db, sliced.seasonId);
		expect(s.stored).toEqual(s.fromLedger);
		expect((await previewAtOnce(sliced.db, sliced.seasonId)).changes).toEqual([]);
	});

	it('seeks the people one by one, sellers and doers, in the order of their ids', async () => {
		const db = openTempDb();
		const contest = await makeContest(db, { teams: 1, people: 5 });
		const seasonId = contest.season.id;
		const [a, b, c, , e] = [...contest.people].sort((x, y) => x.id - y.id);
		await sell(db, c.id, 'c1', NOW - DAY);
		await sell(db, a.id, 'a1', NOW - DAY);
		await sell(db, c.id, 'c2', NOW - 2 * DAY);
		// b and e only log activities: they come from the activities, the others from the sales.
		await createActivityType(
			sqliteStore(db),
			seasonId,
			{ key: 'call', name: 'Call', points: 3, emoji: '📞' },
			{}
		);
		for (const [person, externalId] of [
			[e, 'e-call'],
			[b, 'b-call']
		] as const)
			await logActivity(
				sqliteStore(db),
				{
					source: 'api',
					externalId,
					person: { userId: person.id },
					type: 'call',
					quantity: 1,
					occurredAt: NOW - DAY
				},
				clock
			);
		const store = sqliteStore(db);
		const sought = await read(store, async (tx) => {
			const doers = await recalculationDoersInWrite(tx, store, seasonId);
			const found: number[] = [];
			for (let after = 0; ;) {
				const next = await nextRecalculationPersonInWrite(tx, store, seasonId, doers, after);
				if (next === undefined) return found;
				found.push(next);
				after = next;
			}
		});
		expect(sought).toEqual(sellersAndDoers(db, seasonId));
		expect(sought).toEqual([a.id, b.id, c.id, e.id]);
	});
});
