// person_day (scoring/person-day.ts): the seller's day totals kept with the ledger must equal
// the same totals summed from the sales, whatever happens to the sales, and scoring from them
// must give the points the old per-sale scan of the seller's day gave.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest, makeUser } from '../helpers/factories';
import { addDailyCapRules, personDaysVsRecomputed } from '../helpers/daily-caps';
import { mulberry32 } from '../../src/lib/seeded-random';
import type { RecordSaleInput } from '../../src/lib/server/scoring/sales';
import { recordOn } from '../helpers/record-sale';
import { reviewSales, type Decision } from '../../src/lib/server/scoring/review';
import { recalculateOn } from '../../src/lib/server/scoring/recalculate-run-store';
import { SaleLookups } from '../../src/lib/server/scoring/sale-lookups';
import { readSellerDayContext } from '../../src/lib/server/rules/engine';
import { score } from '../../src/lib/contest/scoring';
import { rule, sale, season } from '../../src/lib/server/db/schema';
import type { Db } from '../../src/lib/server/db';
import { read, sqliteStore } from '../../src/lib/server/db/store';

const HOUR = 60 * 60 * 1000;

let ctx: ReturnType<typeof tempDb>;
let db: Db;
beforeEach(() => {
	ctx = tempDb();
	db = ctx.db;
});
afterEach(() => ctx.cleanup());

describe.each([
	[11, 'Pacific/Auckland', false],
	[2026, 'America/New_York', true]
])(
	'random sales, confirmations, rejections and reversals (seed %i, %s)',
	(seed, timeZone, confirm) => {
		it('keeps person_day equal to a full recompute and scores as the per-sale scan did', async () => {
			const random = mulberry32(seed);
			const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
			const contest = await makeContest(db, { teams: 2, people: 5, requireConfirmation: confirm });
			const seasonId = contest.season.id;
			db.update(season).set({ timeZone }).where(eq(season.id, seasonId)).run();
			addDailyCapRules(db, seasonId);
			const manager = await makeUser(db, { role: 'manager' });
			const now = Date.now();
			const clock = () => now;

			const recorded: { id: number; status: string }[] = [];
			let scoredAgainstScan = 0;
			for (let step = 0; step < 260; step++) {
				const roll = random();
				if (roll < 0.65 || recorded.length === 0) {
					const seller = pick(contest.people);
					const input: RecordSaleInput = {
						source: 'api',
						externalId: `pd-${seed}-${step}`,
						seller: { userId: seller.id },
						// Three days, so that sales share days and cross local midnights.
						occurredAt: now - Math.floor(random() * 72 * HOUR),
						lines: Array.from({ length: 1 + Math.floor(random() * 2) }, () => {
							const sku = pick(['PHONE', 'CASE']);
							return {
								sku,
								quantity: 1 + Math.floor(random() * 3),
								unitPrice: sku === 'PHONE' ? 99900 : 2900
							};
						})
					};
					// What the old code scored: the seller's counted sales of the day, re-read.
					const store = sqliteStore(db);
					const { rules, catalogue } = await read(store, (tx) =>
						new SaleLookups().scoringInWrite(tx, store, seasonId)
					);
					const expected = score(
						{
							occurredAt: input.occurredAt,
							lines: input.lines as Required<(typeof input.lines)[0]>[]
						},
						rules,
						catalogue,
						await readSellerDayContext(
							sqliteStore(db),
							seasonId,
							seller.id,
							input.occurredAt,
							timeZone
						)
					);
					const result = await recordOn(db, input, clock, { awards: false });
					expect(result.created).toBe(true);
					expect(result.sale.points).toBe(expected.total);
					scoredAgainstScan += 1;
					recorded.push({ id: result.sale.id, status: result.sale.status });
				} else {
					const target = pick(recorded);
					const decision: Decision = roll < 0.78 ? 'confirm' : roll < 0.9 ? 'reject' : 'reverse';
					try {
						const [outcome] = await reviewSales(
							sqliteStore(db),
							[target.id],
							{ decision, actor: { userId: manager.id }, reason: 'checked' },
							clock
						);
						target.status = outcome.sale.status;
					} catch {
						// Not allowed from its status (e.g. rejecting an approved sale): nothing changed.
					}
				}
				if (step === 150) {
					// A rule changes and the season is scored again: days are refilled from new breakdowns.
					db.update(rule).set({ dailyCap: 100 }).where(eq(rule.seasonId, seasonId)).run();
					await recalculateOn(sqliteStore(db), seasonId, { userId: manager.id }, clock);
				}
				if (step % 40 === 39) {
					const { stored, recomputed } = await personDaysVsRecomputed(db, seasonId, timeZone);
					expect(stored).toEqual(recomputed);
				}
			}
			const { stored, recomputed } = await personDaysVsRecomputed(db, seasonId, timeZone);
			expect(stored.length).toBeGreaterThan(5);
			expect(stored).toEqual(recomputed);
			expect(scoredAgainstScan).toBeGreaterThan(100);
			// Rejections and reversals happened, and took sales out of their days.
			const statuses = new Set(
				db
					.select({ s: sale.status })
					.from(sale)
					.all()
					.map((r) => r.s)
			);
			expect(statuses.has('reversed')).toBe(true);
			expect([...statuses].some((s) => s === 'rejected' || !confirm)).toBe(true);
		});
	}
);
