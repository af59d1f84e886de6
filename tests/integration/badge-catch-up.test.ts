// A badge-facts backlog (sales recorded without the badge step, as bench:ingest's badges-off
// phase leaves it, or an upgrade that builds the facts) is taken in by the slices once they
// run: a sale's own badge step then takes in as many entries as it added (the backlog does not
// grow with the traffic) instead of 50 more of the backlog at a slice's cost (docs/benchmarks.md, "The badge catch-up after a
// restart"). Sales that keep coming during the catch-up end with the same facts and awards as
// when every sale had its badge step at once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest } from '../helpers/factories';
import type { Db } from '../../src/lib/server/db';
import type { RecordSaleInput } from '../../src/lib/server/scoring/sales';
import { recordOn } from '../helpers/record-sale';
import { recordSaleGrouped } from '../../src/lib/server/scoring/group-commit';
import { sqliteStore } from '../../src/lib/server/db/store';
import { runPeriodicAwards } from '../../src/lib/server/badges/periodic';
import { holdingCatchUp } from '../../src/lib/server/badges/catch-up';
import { reevaluateOnStore } from '../../src/lib/server/badges/reevaluate';
import type { BadgeCriterion } from '../../src/lib/contest/badges';
import { addBadges } from '../helpers/badges';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 4, 12);
const clock = () => NOW;
let contexts: ReturnType<typeof tempDb>[];
beforeEach(() => (contexts = [tempDb(), tempDb()]));
afterEach(() => contexts.forEach((c) => c.cleanup()));

// Every criterion a sale decides, most with points (they go to the team of the seller's last sale).
const BADGES: { criterion: BadgeCriterion; points: number }[] = [
	{ criterion: { kind: 'first_sale' }, points: 0 },
	{ criterion: { kind: 'sales_count', count: 20 }, points: 5 },
	{ criterion: { kind: 'sales_count', count: 3, category: 'Accessories' }, points: 0 },
	{ criterion: { kind: 'points_at_least', points: 1_500 }, points: 20 },
	{ criterion: { kind: 'revenue_at_least', amount: 3_000_000 }, points: 0 },
	{ criterion: { kind: 'streak', days: 3 }, points: 9 },
	{ criterion: { kind: 'cross_sells', count: 4 }, points: 7 },
	{ criterion: { kind: 'record_sale' }, points: 10 },
	{ criterion: { kind: 'team_target', target: 4_000 }, points: 0 }
];

async function contest(db: Db) {
	const c = await makeContest(db, { teams: 2, people: 6 });
	await addBadges(db, c.season.id, BADGES, clock);
	return c.people.map((p) => p.email);
}

/**
 * The i-th sale: spread over ten days, of varied sizes and lines; one in seven of the backlog's
 * back-dated. Those that come during the catch-up (from 400) are each the latest in time, as a
 * live sale is: what a sale earns then does not depend on which of them are already recorded.
 */
function saleInput(people: string[], i: number): RecordSaleInput {
	const back = i < 400 && i % 7 === 3 ? 2 * DAY : 0;
	const lines = [{ sku: 'PHONE', quantity: 1 + (i % 4) }];
	if (i % 3 === 0) lines.push({ sku: 'CASE', quantity: 1 });
	if (i % 11 === 5) lines.splice(0, 1, { sku: 'CASE', quantity: 2 });
	return {
		source: 'api',
		externalId: `s${i}`,
		seller: { email: people[(i * 5) % 6] },
		occurredAt: NOW - 10 * DAY + i * 1_500_000 - back,
		lines
	};
}

const cursor = (db: Db) =>
	db.get<{ id: number }>(sql`select ledger_id as id from badge_cursor where id = 1`)?.id ?? 0;
const lastEntry = (db: Db) =>
	db.get<{ id: number }>(sql`select max(id) as id from ledger_entry`)!.id;

/**
 * Facts and awards by person index (the two databases' ids differ only by their emails' order,
 * which makeContest keeps): awards with the sale that earned them, badge points with their team.
 */
function endState(db: Db, people: string[]) {
	const who = new Map(
		db
			.all<{ id: number; email: string }>(sql`select id, email from user`)
			.map((u) => [u.id, people.indexOf(u.email)])
	);
	const teams = new Map(
		db.all<{ id: number }>(sql`select id from team order by id`).map((t, i) => [t.id, i] as const)
	);
	const subject = (type: string, id: number) =>
		type === 'user' ? `u${who.get(id)}` : `t${teams.get(id)}`;
	const saleNo = new Map(
		db
			.all<{ id: number; ext: string }>(sql`select id, external_id as ext from sale`)
			.map((s) => [s.id, s.ext])
	);
	return {
		awards: db
			.all<{
				badge: string;
				type: string;
				id: number;
				period: string;
				sale: number | null;
				status: string;
			}>(
				sql`select b.name as badge, a.subject_type as type, a.subject_id as id, a.period_key as period,
				a.sale_id as sale, a.status from award a join badge b on b.id = a.badge_id`
			)
			.map(
				(a) =>
					`${a.badge} ${subject(a.type, a.id)} ${a.period} ${a.sale ? saleNo.get(a.sale) : '-'} ${a.status}`
			)
			.sort(),
		badgePoints: db
			.all<{ userId: number; teamId: number; points: number }>(
				sql`select user_id as userId, team_id as teamId, points from ledger_entry where kind = 'badge'`
			)
			.map((e) => `${subject('user', e.userId)} ${subject('team', e.teamId)} ${e.points}`)
			.sort(),
		tallies: db
			.all<{ type: string; id: number; metric: string; value: number }>(
				sql`select subject_type as type, subject_id as id, metric, value from badge_tally`
			)
			.map((t) => `${subject(t.type, t.id)} ${t.metric} ${t.value}`)
			.sort(),
		days: db
			.all<{ userId: number; day: string; sales: number; firstAt: number; first: number }>(
				sql`select user_id as userId, day, sales, first_at as firstAt, first_sale_id as first from badge_day`
			)
			.map(
				(d) =>
					`${subject('user', d.userId)} ${d.day} ${d.sales} ${d.firstAt} ${saleNo.get(d.first)}`
			)
			.sort(),
		weeks: db
			.all<{ userId: number; week: string; sales: number; points: number; reachedAt: number }>(
				sql`select user_id as userId, week, sales, points, reached_at as reachedAt from badge_week`
			)
			.map((w) => `${subject('user', w.userId)} ${w.week} ${w.sales} ${w.points} ${w.reachedAt}`)
			.sort()
	};
}

describe('the badge catch-up after a restart', () => {
	it('leaves the backlog to the slices while they run: a sale takes in one entry, not 50', async () => {
		const [db] = contexts.map((c) => c.db);
		const people = await contest(db);
		for (let i = 0; i < 400; i++)
			await recordOn(db, saleInput(people, i), clock, { awards: false });
		// The catch-up marks the database at once (the call's synchronous part); its slices, one
		// write each (badges/catch-up.ts), wait while the hold is on: a sale recorded then comes
		// between two slices, as one does under load (its write waits a turn of the loop, in which
		// a slice would otherwise run first).
		const catchingUp = runPeriodicAwards(sqliteStore(db), { clock });
		await holdingCatchUp(sqliteStore(db), async () => {
			const before = cursor(db);
			expect(before).toBeLessThan(lastEntry(db) - 300);
			// A sale's own step now takes in one entry (the one it added): the code before took in 50.
			await recordOn(db, saleInput(people, 400), clock);
			expect(cursor(db)).toBe(before + 1);
		});
		await catchingUp;
		// The slices took in everything, that sale included; its step works as before after.
		expect(cursor(db)).toBe(lastEntry(db));
		await recordOn(db, saleInput(people, 401), clock);
		expect(cursor(db)).toBe(lastEntry(db));
	});

	it('ends, under API sales during the catch-up, with the facts and awards of a catch-up of them all', async () => {
		const [behind, reference] = contexts.map((c) => c.db);
		const people = await contest(behind);
		const same = await contest(reference);
		// 400 sales without the badge step: the backlog.
		for (let i = 0; i < 400; i++)
			await recordOn(behind, saleInput(people, i), clock, { awards: false });
		// The catch-up starts; API sales keep coming, a few per turn of the loop, while it runs.
		const catchingUp = runPeriodicAwards(sqliteStore(behind), { clock });
		for (let i = 400; i < 520; i += 4) {
			await Promise.all(
				[0, 1, 2, 3].map((k) =>
					recordSaleGrouped(sqliteStore(behind), saleInput(people, i + k), clock)
				)
			);
			await new Promise((resolve) => setImmediate(resolve));
			// The first sales came while the backlog was still being taken in.
			if (i === 400) expect(cursor(behind)).toBeLessThan(lastEntry(behind) - 100);
		}
		await catchingUp;
		// The sales' own steps may have left their last entries to slices that are still going.
		await runPeriodicAwards(sqliteStore(behind), { clock });
		expect(cursor(behind)).toBe(lastEntry(behind));

		// The same 520 sales all recorded first, then taken in by the slices with nothing else
		// running: the facts rebuilt from the whole ledger, every award decided from them.
		for (let i = 0; i < 520; i++)
			await recordOn(reference, saleInput(same, i), clock, { awards: false });
		await runPeriodicAwards(sqliteStore(reference), { clock });
		const got = endState(behind, people);
		expect(got).toEqual(endState(reference, same));
		expect(got.awards.length).toBeGreaterThan(30);
		expect(got.badgePoints.length).toBeGreaterThan(10);
		// And a full re-evaluation of the season (every badge, everyone) finds nothing to change.
		const season = behind.get<{ id: number }>(sql`select id from season`)!.id;
		const changes = await reevaluateOnStore(sqliteStore(behind), season, { clock });
		expect(changes.awarded).toEqual([]);
		expect(changes.withdrawn).toEqual([]);
	});
});
