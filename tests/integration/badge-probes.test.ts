// The badge probes (badges/probes.ts) give exactly what the full evaluation gives: a team's
// target from its running total, and a person's record sales, checked against contest/badges
// `evaluate` over every sale of the season after each step of a seeded random sequence of
// sales (ties in amount and time, several a day, some after the "now" asked about), confirmations, rejections
// and reversals, on a real temp database. Then the same through a whole re-evaluation and the
// reconciliation after a reversal.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq, inArray, ne } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest } from '../helpers/factories';
import type { Db } from '../../src/lib/server/db';
import { award, badge, product, sale, saleLine, season } from '../../src/lib/server/db/schema';
import { recordOn } from '../helpers/record-sale';
import { reviewSales } from '../../src/lib/server/scoring/review';
import { reevaluateOnStore, reevaluationsSettled } from '../../src/lib/server/badges/reevaluate';
import { createBadge } from '../../src/lib/server/badges/commands';
import { sqliteStore } from '../../src/lib/server/db/store';
import { recordAwards, teamTargetAward } from '../../src/lib/server/badges/probes';
import { evaluate, type BadgeCriterion, type SaleFact } from '../../src/lib/contest/badges';
import { mulberry32 } from '../../src/lib/seeded-random';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

let ctx: ReturnType<typeof tempDb>;
let db: Db;
beforeEach(() => {
	ctx = tempDb();
	db = ctx.db;
});
afterEach(() => ctx.cleanup());

/** The season's sales that count, read straight from the sales: the reference's input. */
function seasonFacts(seasonId: number): SaleFact[] {
	const cats = new Map<number, Set<string>>();
	for (const l of db
		.select({ saleId: saleLine.saleId, category: product.category })
		.from(saleLine)
		.innerJoin(product, eq(product.id, saleLine.productId))
		.all())
		cats.set(l.saleId, (cats.get(l.saleId) ?? new Set()).add(l.category));
	return db
		.select()
		.from(sale)
		.where(and(eq(sale.seasonId, seasonId), inArray(sale.status, ['pending', 'approved'])))
		.all()
		.map((s) => {
			const categories = [...(cats.get(s.id) ?? [])];
			return {
				saleId: s.id,
				userId: s.sellerId,
				teamId: s.teamId,
				occurredAt: s.occurredAt,
				amount: s.amount,
				points: s.points,
				categories,
				crossSell: categories.length > 1
			};
		});
}

/** A contest with a seeded random sequence of sales and reviews; `check` runs after each step. */
async function randomSequence(
	seed: number,
	steps: number,
	check: (step: string, seasonId: number) => void
) {
	const random = mulberry32(seed);
	const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
	const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
	const contest = await makeContest(db, { teams: 3, people: 7, requireConfirmation: true });
	const seasonId = contest.season.id;
	const now = Date.now();
	const clock = () => now;
	const actor = { userId: null };
	const withStatus = (status: 'pending' | 'approved') =>
		db
			.select({ id: sale.id })
			.from(sale)
			.where(and(eq(sale.seasonId, seasonId), eq(sale.status, status)))
			.all()
			.map((r) => r.id);
	// Few prices and few instants, so that amounts and times tie often.
	const instants = Array.from({ length: 12 }, () => now - int(0, 20) * DAY - int(0, 3) * HOUR);
	let n = 0;
	for (let step = 0; step < steps; step++) {
		const roll = random();
		if (roll < 0.65) {
			const occurredAt =
				random() < 0.3 ? pick(instants) : now - int(0, 20 * 24) * HOUR - int(0, 59) * 60_000;
			await recordOn(
				db,
				{
					source: 'api',
					externalId: `p${seed}-${++n}`,
					seller: { email: pick(contest.people).email },
					occurredAt,
					lines: [
						{
							sku: 'PHONE',
							quantity: int(1, 2),
							unitPrice: pick([500, 800, 1000, 1200, 1500, 2000, 2500]) * 100
						}
					]
				},
				clock,
				{ awards: false }
			);
		} else if (roll < 0.8) {
			const pending = withStatus('pending');
			if (pending.length > 0)
				await reviewSales(sqliteStore(db), [pick(pending)], { decision: 'confirm', actor }, clock);
		} else {
			const pending = withStatus('pending');
			const approved = withStatus('approved');
			const reject = random() < 0.5 && pending.length > 0;
			const pool = reject ? pending : approved.length > 0 ? approved : pending;
			if (pool.length > 0)
				await reviewSales(
					sqliteStore(db),
					[pick(pool)],
					{ decision: reject ? 'reject' : 'reverse', actor, reason: 'Test' },
					clock
				);
			await reevaluationsSettled(sqliteStore(db));
		}
		check(`step ${step}`, seasonId);
	}
	return { seasonId, now, clock, actor };
}

describe('badge probes', () => {
	it.each([1, 2, 3])(
		'equal the full evaluation of team targets and record sales (seed %i)',
		async (seed) => {
			const seen = { records: 0, targets: 0 };
			const check = (step: string, seasonId: number) => {
				const s = db.select().from(season).where(eq(season.id, seasonId)).get()!;
				const facts = seasonFacts(s.id);
				const teamIds = [...new Set(facts.map((f) => f.teamId))];
				const userIds = [...new Set(facts.map((f) => f.userId))];
				const total = facts.reduce((sum, f) => sum + f.points, 0);
				// Now, and a "now" before some of the sales (a clock behind the data).
				for (const now of [Date.now(), Date.now() - 5 * DAY, Date.now() - 12 * DAY]) {
					const ctxB = { now, timeZone: s.timeZone, holidays: [] };
					for (const userId of userIds) {
						const record: BadgeCriterion = { kind: 'record_sale' };
						const want = evaluate(record, { kind: 'user', id: userId }, facts, ctxB);
						seen.records += want.length;
						// Also with the walk down the biggest sales cut short, as it is in a big season.
						for (const rows of [undefined, 1, 3, 10])
							expect(
								recordAwards(db, s.id, userId, s.timeZone, now, rows),
								`${step}: records (${rows ?? 'all'})`
							).toEqual(want);
					}
					for (const teamId of teamIds)
						for (const metric of ['points', 'amount'] as const)
							for (const target of [1, 60, Math.floor(total / 4), total, total * 100]) {
								const t = metric === 'amount' ? target * 1000 : target;
								const criterion: BadgeCriterion = { kind: 'team_target', target: t, metric };
								const want = evaluate(criterion, { kind: 'team', id: teamId }, facts, ctxB);
								seen.targets += want.length;
								expect(
									teamTargetAward(db, s.id, teamId, t, metric, now),
									`${step}: team ${teamId} ${metric} ${t}`
								).toEqual(want);
							}
				}
			};
			await randomSequence(seed, 60, check);
			// The checks had something to compare.
			expect(seen.records).toBeGreaterThan(10);
			expect(seen.targets).toBeGreaterThan(10);
		}
	);

	it.each([4, 5])(
		'make a re-evaluation and a reconciliation award what the full evaluation gives (seed %i)',
		async (seed) => {
			const run = await randomSequence(seed, 50, () => {});
			const { seasonId, now, clock, actor } = run;
			const badges: { name: string; criterion: BadgeCriterion }[] = [
				{ name: 'Record breaker', criterion: { kind: 'record_sale' } },
				{ name: 'Team 200', criterion: { kind: 'team_target', target: 200 } },
				{
					name: 'Team €20k',
					criterion: { kind: 'team_target', target: 2_000_000, metric: 'amount' }
				}
			];
			for (const b of badges)
				await createBadge(
					sqliteStore(db),
					seasonId,
					{ ...b, emoji: '🏅', description: '', points: 5, active: true },
					actor,
					clock
				);
			await reevaluateOnStore(sqliteStore(db), seasonId, { clock });
			await reevaluationsSettled(sqliteStore(db));
			const stored = () =>
				db
					.select()
					.from(award)
					.where(and(eq(award.seasonId, seasonId), ne(award.status, 'void')))
					.all()
					.map((a) => `${a.badgeId}|${a.subjectType}|${a.subjectId}|${a.periodKey}|${a.saleId}`)
					.sort();
			const wanted = () => {
				const facts = seasonFacts(seasonId);
				const s = db.select().from(season).where(eq(season.id, seasonId)).get()!;
				const ctxB = { now, timeZone: s.timeZone, holidays: [] };
				const out: string[] = [];
				for (const b of db.select().from(badge).where(eq(badge.seasonId, seasonId)).all()) {
					const kind = b.criterion.kind === 'team_target' ? 'team' : 'user';
					const ids = new Set(facts.map((f) => (kind === 'team' ? f.teamId : f.userId)));
					for (const id of ids)
						for (const e of evaluate(b.criterion, { kind, id }, facts, ctxB))
							out.push(`${b.id}|${kind}|${id}|${e.periodKey}|${e.saleId}`);
				}
				return out.sort();
			};
			expect(stored()).toEqual(wanted());
			expect(stored().length).toBeGreaterThan(4);
			// Reversals of the biggest sales: records move to other sales, and the reconciliation
			// withdraws and gives exactly what the full evaluation says.
			for (let i = 0; i < 3; i++) {
				const biggest = db
					.select({ id: sale.id })
					.from(sale)
					.where(and(eq(sale.seasonId, seasonId), inArray(sale.status, ['pending', 'approved'])))
					.orderBy(sale.amount, sale.id)
					.all()
					.at(-1 - i);
				if (!biggest) break;
				await reviewSales(
					sqliteStore(db),
					[biggest.id],
					{ decision: 'reverse', actor, reason: 'Test' },
					clock
				);
				await reevaluationsSettled(sqliteStore(db));
				expect(stored(), `reversal ${i}`).toEqual(wanted());
			}
		}
	);
});
