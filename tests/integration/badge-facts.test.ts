// The incremental badge facts and the awards decided from them equal a full re-evaluation after
// any sequence of sales (in and out of order), confirmations, rejections, reversals and periodic
// runs: a seeded random sequence on a real temp database, checked after every step. A sale (as
// the server records it) and an import's window decide their awards inside their own write:
// checked after every sale and every window.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest, standingsVsLedger } from '../helpers/factories';
import type { Db } from '../../src/lib/server/db';
import { award, badge, product, sale, saleLine, season } from '../../src/lib/server/db/schema';
import { recordOn } from '../helpers/record-sale';
import { importSales } from '../../src/lib/server/imports/sales';
import { reviewSales } from '../../src/lib/server/scoring/review';
import { runPeriodicAwards } from '../../src/lib/server/badges/periodic';
import { reevaluationsSettled } from '../../src/lib/server/badges/reevaluate';
import { createBadge } from '../../src/lib/server/badges/commands';
import { sqliteStore, write } from '../../src/lib/server/db/store';
import { clearFactsInWrite } from '../../src/lib/server/badges/facts';
import { evaluate, type BadgeCriterion, type SaleFact } from '../../src/lib/contest/badges';
import { localDateKey, weekKey } from '../../src/lib/contest/calendar';
import { mulberry32 } from '../../src/lib/seeded-random';

const DAY = 24 * 60 * 60 * 1000;
const WEEKLY = new Set(['top_k_week', 'most_improved_week']);

const BADGES: { name: string; criterion: BadgeCriterion; points?: number }[] = [
	{ name: 'First sale', criterion: { kind: 'first_sale' } },
	{ name: 'Four sales', criterion: { kind: 'sales_count', count: 4 }, points: 5 },
	{ name: 'Two cases', criterion: { kind: 'sales_count', count: 2, category: 'Accessories' } },
	{ name: '400 points', criterion: { kind: 'points_at_least', points: 400 }, points: 20 },
	{ name: '€5,000', criterion: { kind: 'revenue_at_least', amount: 500_000 } },
	{ name: 'Two days', criterion: { kind: 'streak', days: 2 } },
	{ name: 'Four days', criterion: { kind: 'streak', days: 4 }, points: 9 },
	{ name: 'Cross-seller', criterion: { kind: 'cross_sells', count: 2 }, points: 7 },
	{ name: 'Record breaker', criterion: { kind: 'record_sale' }, points: 10 },
	{ name: 'Team 600', criterion: { kind: 'team_target', target: 600 } },
	{ name: 'Team €8,000', criterion: { kind: 'team_target', target: 800_000, metric: 'amount' } },
	{ name: 'Top 2 of the week', criterion: { kind: 'top_k_week', k: 2 }, points: 15 },
	{ name: 'Most improved', criterion: { kind: 'most_improved_week' }, points: 3 }
];

let ctx: ReturnType<typeof tempDb>;
let db: Db;
beforeEach(() => {
	ctx = tempDb();
	db = ctx.db;
});
afterEach(() => ctx.cleanup());

/** The season's sales that count, as the criteria see them, read straight from the sales. */
function seasonFacts(seasonId: number): { facts: SaleFact[]; pending: Set<number> } {
	const rows = db
		.select()
		.from(sale)
		.where(and(eq(sale.seasonId, seasonId), inArray(sale.status, ['pending', 'approved'])))
		.orderBy(sale.id)
		.all();
	const cats = new Map<number, Set<string>>();
	for (const l of db
		.select({ saleId: saleLine.saleId, category: product.category })
		.from(saleLine)
		.innerJoin(product, eq(product.id, saleLine.productId))
		.all())
		cats.set(l.saleId, (cats.get(l.saleId) ?? new Set()).add(l.category));
	const facts = rows.map((s) => {
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
	return { facts, pending: new Set(rows.filter((s) => s.status === 'pending').map((s) => s.id)) };
}

type Expected = { key: string; saleId: number | null; earnedAt: number; status: string };
const keyOf = (badgeId: number, type: string, id: number, period: string) =>
	`${badgeId}|${type}|${id}|${period}`;

/**
 * What the full evaluation (contest/badges `evaluate`, one subject at a time over the whole
 * season, as the awarding service did before the facts) gives the subjects, minus awards held.
 */
function fullEvaluation(
	seasonId: number,
	now: number,
	options: { users?: number[]; weekly: boolean; onlyWeekly?: boolean; heldUpTo?: number }
): Expected[] {
	const s = db.select().from(season).where(eq(season.id, seasonId)).get()!;
	const { facts, pending } = seasonFacts(seasonId);
	const users = new Set(options.users ?? facts.map((f) => f.userId));
	const teams = new Set(facts.filter((f) => users.has(f.userId)).map((f) => f.teamId));
	const held = new Set(
		db
			.select()
			.from(award)
			.where(ne(award.status, 'void'))
			.all()
			.filter((a) => options.heldUpTo === undefined || a.id <= options.heldUpTo)
			.map((a) => keyOf(a.badgeId, a.subjectType, a.subjectId, a.periodKey))
	);
	const out: Expected[] = [];
	const ctxB = { now, timeZone: s.timeZone, holidays: s.holidays ?? [], tieRule: s.tieRule };
	for (const b of db.select().from(badge).where(eq(badge.seasonId, seasonId)).all()) {
		const weekly = WEEKLY.has(b.criterion.kind);
		if (!b.active || (weekly && !options.weekly) || (!weekly && options.onlyWeekly)) continue;
		const kind = b.criterion.kind === 'team_target' ? 'team' : 'user';
		for (const id of kind === 'team' ? teams : users)
			for (const e of evaluate(b.criterion, { kind, id }, facts, ctxB)) {
				const key = keyOf(b.id, kind, id, e.periodKey);
				if (held.has(key)) continue;
				held.add(key);
				const provisional = e.saleId != null && pending.has(e.saleId);
				out.push({
					key,
					saleId: e.saleId ?? null,
					earnedAt: e.at,
					status: provisional ? 'provisional' : 'confirmed'
				});
			}
	}
	return out.sort((a, b) => a.key.localeCompare(b.key));
}

function awardsAfter(id: number): Expected[] {
	return db
		.select()
		.from(award)
		.where(sql`${award.id} > ${id}`)
		.all()
		.map((a) => ({
			key: keyOf(a.badgeId, a.subjectType, a.subjectId, a.periodKey),
			saleId: a.saleId,
			earnedAt: a.earnedAt,
			status: a.status
		}))
		.sort((a, b) => a.key.localeCompare(b.key));
}

/** Awards still standing whose sale no longer counts. */
const awardsOfSalesThatStopped = () =>
	db
		.select({ id: award.id })
		.from(award)
		.innerJoin(sale, eq(sale.id, award.saleId))
		.where(and(ne(award.status, 'void'), inArray(sale.status, ['rejected', 'reversed'])))
		.all();

const lastAwardId = () =>
	db.get<{ id: number | null }>(sql`select max(id) as id from award`)?.id ?? 0;

/** The facts as stored, and as computed afresh from the season's sales. */
function factsVsSales(seasonId: number) {
	const tz = db.select().from(season).where(eq(season.id, seasonId)).get()!.timeZone;
	const { facts } = seasonFacts(seasonId);
	const tallies = new Map<string, number>();
	const add = (key: string, v: number) => tallies.set(key, (tallies.get(key) ?? 0) + v);
	const days = new Map<string, { sales: number; firstAt: number; firstSaleId: number }>();
	const weeks = new Map<string, { sales: number; points: number; reachedAt: number }>();
	const chronological = [...facts].sort(
		(a, b) => a.occurredAt - b.occurredAt || a.saleId - b.saleId
	);
	for (const f of chronological) {
		add(`user|${f.userId}|sales`, 1);
		add(`user|${f.userId}|points`, f.points);
		add(`user|${f.userId}|amount`, f.amount);
		add(`team|${f.teamId}|points`, f.points);
		add(`team|${f.teamId}|amount`, f.amount);
		if (f.crossSell) add(`user|${f.userId}|cross`, 1);
		for (const c of f.categories) add(`user|${f.userId}|cat:${c}`, 1);
		const dayKey = `${f.userId}|${localDateKey(f.occurredAt, tz)}`;
		const day = days.get(dayKey);
		if (day) day.sales += 1;
		else days.set(dayKey, { sales: 1, firstAt: f.occurredAt, firstSaleId: f.saleId });
		const weekKeyOf = `${f.userId}|${weekKey(f.occurredAt, tz)}`;
		const week = weeks.get(weekKeyOf) ?? { sales: 0, points: 0, reachedAt: 0 };
		weeks.set(weekKeyOf, {
			sales: week.sales + 1,
			points: week.points + f.points,
			reachedAt: f.occurredAt
		});
	}
	const sorted = <T>(m: Map<string, T>) => [...m].sort(([a], [b]) => a.localeCompare(b));
	const storedTallies = db
		.all<{ k: string; value: number }>(
			sql`select subject_type || '|' || subject_id || '|' || metric as k, value
			from badge_tally where season_id = ${seasonId} and value <> 0`
		)
		.map((r) => [r.k, r.value] as const)
		.sort(([a], [b]) => a.localeCompare(b));
	const storedDays = db
		.all<{ k: string; sales: number; firstAt: number; firstSaleId: number }>(
			sql`select user_id || '|' || day as k, sales, first_at as firstAt, first_sale_id as firstSaleId
			from badge_day where season_id = ${seasonId} and sales > 0`
		)
		.map(({ k, ...r }) => [k, r] as const)
		.sort(([a], [b]) => a.localeCompare(b));
	const storedWeeks = db
		.all<{ k: string; sales: number; points: number; reachedAt: number }>(
			sql`select user_id || '|' || week as k, sales, points, reached_at as reachedAt
			from badge_week where season_id = ${seasonId} and sales > 0`
		)
		.map(({ k, ...r }) => [k, r] as const)
		.sort(([a], [b]) => a.localeCompare(b));
	return {
		stored: { tallies: storedTallies, days: storedDays, weeks: storedWeeks },
		fromSales: {
			tallies: sorted(tallies).filter(([, v]) => v !== 0),
			days: sorted(days),
			weeks: sorted(weeks)
		}
	};
}

/** A contest of three teams and seven people with every badge of BADGES, and a seeded random. */
async function contestWithBadges(seed: number) {
	const random = mulberry32(seed);
	const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
	const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
	const contest = await makeContest(db, { teams: 3, people: 7, requireConfirmation: true });
	const seasonId = contest.season.id;
	const now = Date.now();
	const clock = () => now;
	const actor = { userId: null };
	for (const b of BADGES)
		await createBadge(
			sqliteStore(db),
			seasonId,
			{ ...b, emoji: '🏅', description: '', points: b.points ?? 0, active: true },
			actor,
			clock
		);
	return { random, int, pick, contest, seasonId, now, clock, actor };
}

describe('badge facts', () => {
	it.each([1, 2])(
		'equal a full re-evaluation after a random sequence of sales and reviews (seed %i)',
		async (seed) => {
			const { random, int, pick, contest, seasonId, now, clock, actor } =
				await contestWithBadges(seed);
			let n = 0;
			const counted = (status: 'pending' | 'approved') =>
				db
					.select({ id: sale.id })
					.from(sale)
					.where(and(eq(sale.seasonId, seasonId), eq(sale.status, status)))
					.all()
					.map((r) => r.id);
			for (let step = 0; step < 100; step++) {
				const roll = random();
				const before = lastAwardId();
				if (roll < 0.6) {
					// A sale, often out of order: anywhere in the last four weeks.
					const person = pick(contest.people.slice(0, step < 30 ? 3 : 7));
					const lines = [{ sku: 'PHONE', quantity: int(1, 3), unitPrice: int(500, 3000) * 100 }];
					if (random() < 0.4) lines.push({ sku: 'CASE', quantity: 1, unitPrice: 2900 });
					const occurredAt = now - int(1, 27 * 24) * (DAY / 24) - int(0, 3_599_999);
					// Recorded as the server does: its badge step decides in the sale's write.
					await recordOn(
						db,
						{
							source: 'api',
							externalId: `s${seed}-${++n}`,
							seller: { email: person.email },
							occurredAt,
							lines
						},
						clock
					);
					// What the full evaluation gives now, less what was held before the sale (it is the
					// seller's and their team's, and the former first sale's when this one comes before
					// every other), is what the incremental decision gave.
					const wanted = fullEvaluation(seasonId, now, { weekly: false, heldUpTo: before });
					expect(awardsAfter(before), `step ${step}: sale`).toEqual(wanted);
				} else if (roll < 0.75) {
					const pending = counted('pending');
					if (pending.length === 0) continue;
					await reviewSales(
						sqliteStore(db),
						[pick(pending)],
						{ decision: 'confirm', actor },
						clock
					);
				} else if (roll < 0.95) {
					const pending = counted('pending');
					const approved = counted('approved');
					const reject = random() < 0.5 && pending.length > 0;
					const pool = reject ? pending : approved.length > 0 ? approved : pending;
					if (pool.length === 0) continue;
					await reviewSales(
						sqliteStore(db),
						[pick(pool)],
						{ decision: reject ? 'reject' : 'reverse', actor, reason: 'Test' },
						clock
					);
					// The awards of that sale are withdrawn at once...
					expect(awardsOfSalesThatStopped(), `step ${step}: withdrawn`).toEqual([]);
					// ...the rest follows in the background, in slices.
					await reevaluationsSettled(sqliteStore(db));
					// The reconciliation left nothing the full evaluation would still give.
					expect(fullEvaluation(seasonId, now, { weekly: false }), `step ${step}: review`).toEqual(
						[]
					);
				} else {
					const wanted = fullEvaluation(seasonId, now, { weekly: true, onlyWeekly: true });
					await runPeriodicAwards(sqliteStore(db), { clock, entriesPerSlice: 7 });
					expect(awardsAfter(before), `step ${step}: periodic`).toEqual(wanted);
				}
				const { stored, fromSales } = factsVsSales(seasonId);
				expect(stored, `step ${step}: facts`).toEqual(fromSales);
			}
			// Some of everything happened.
			const statuses = new Set(
				db
					.select({ s: sale.status })
					.from(sale)
					.all()
					.map((r) => r.s)
			);
			expect([...statuses].sort()).toEqual(['approved', 'pending', 'rejected', 'reversed']);
			const badgesEarned = new Set(
				db
					.select({ b: award.badgeId })
					.from(award)
					.all()
					.map((r) => r.b)
			);
			expect(badgesEarned.size).toBeGreaterThanOrEqual(BADGES.length - 1);
			// Rebuilt from scratch, the facts are the same.
			const stored = factsVsSales(seasonId).stored;
			const store = sqliteStore(db);
			await write(store, (tx) => clearFactsInWrite(tx, store));
			await runPeriodicAwards(sqliteStore(db), { clock, entriesPerSlice: 13 });
			expect(factsVsSales(seasonId).stored).toEqual(stored);
		},
		180_000
	);

	it('an import decides in each window what a full re-evaluation gives', async () => {
		const { random, int, pick, contest, seasonId, now, clock, actor } = await contestWithBadges(3);
		// The new badges' re-evaluation (in slices) is over: only the import decides from here.
		await reevaluationsSettled(sqliteStore(db));
		// Sales out of order (anywhere in the last four weeks), some with a case: one line each.
		const rows = ['externalId,sellerEmail,occurredAt,sku,quantity,unitPrice'];
		for (let n = 1; n <= 60; n++) {
			const person = pick(contest.people);
			const at = new Date(
				Math.floor((now - int(1, 27 * 24) * (DAY / 24) - int(0, 3_599_999)) / 1000) * 1000
			).toISOString();
			rows.push(`imp-${n},${person.email},${at},PHONE,${int(1, 3)},${int(500, 3000)}.00`);
			if (random() < 0.4) rows.push(`imp-${n},${person.email},${at},CASE,1,29.00`);
		}
		let before = lastAwardId();
		let windows = 0;
		const report = await importSales(db, rows.join('\n'), {
			dryRun: false,
			actor,
			clock,
			batchSize: 7,
			onProgress: (done) => {
				if (done === 0) return;
				windows += 1;
				// The window's awards were decided before its commit, from the facts it wrote then:
				// they are what the full evaluation gives now, less what was held before the window.
				const wanted = fullEvaluation(seasonId, now, { weekly: false, heldUpTo: before });
				expect(awardsAfter(before), `window ${windows}`).toEqual(wanted);
				const { stored, fromSales } = factsVsSales(seasonId);
				expect(stored, `window ${windows}: facts`).toEqual(fromSales);
				before = lastAwardId();
			}
		});
		expect(report.sales).toMatchObject({ new: 60, rejected: 0 });
		expect(windows).toBe(9);
		expect(fullEvaluation(seasonId, now, { weekly: false })).toEqual([]);
		const earned = new Set(
			db
				.select({ b: award.badgeId })
				.from(award)
				.all()
				.map((r) => r.b)
		);
		expect(earned.size).toBeGreaterThanOrEqual(8);
		const { stored, fromLedger } = standingsVsLedger(db, seasonId);
		expect(stored).toEqual(fromLedger);
	});

	it("keeps each database's season zone apart: season 1 here is not season 1 of another database", async () => {
		// The zone is cached per season for the process's life: the tests share a process between
		// databases, and a server could open more than one (a CI run failed on this once).
		const other = tempDb();
		try {
			const here = await makeContest(db);
			const there = await makeContest(other.db);
			expect(here.season.id).toBe(there.season.id);
			db.update(season).set({ timeZone: 'Pacific/Kiritimati' }).run();
			// Yesterday at 20:00 UTC: the next day at Kiritimati (UTC+14), the same day in UTC.
			const now = Date.now();
			const at = Math.floor(now / DAY - 1) * DAY + 20 * 3_600_000;
			const sold = (d: Db, p: { email: string }, id: string) =>
				recordOn(
					d,
					{
						source: 'api',
						externalId: id,
						seller: { email: p.email },
						occurredAt: at,
						lines: [{ sku: 'PHONE', quantity: 1, unitPrice: 99900 }]
					},
					() => at + DAY
				);
			await sold(db, here.people[0], 'kiritimati');
			await sold(other.db, there.people[0], 'utc');
			const dayOf = (d: Db) =>
				d.all<{ day: string }>(sql`select day from badge_day`).map((r) => r.day);
			expect(dayOf(db)).toEqual([localDateKey(at, 'Pacific/Kiritimati')]);
			expect(dayOf(other.db)).toEqual([localDateKey(at, 'UTC')]);
			expect(localDateKey(at, 'Pacific/Kiritimati')).not.toBe(localDateKey(at, 'UTC'));
		} finally {
			other.cleanup();
		}
	});
});
