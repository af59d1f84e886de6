import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeMember, makeProduct, makeTeam } from '../helpers/factories';
import { openDatabase, type Db } from '../../src/lib/server/db';
import {
	award,
	rule,
	season,
	seasonResult,
	seasonTransition
} from '../../src/lib/server/db/schema';
import { runScheduler } from '../../src/lib/server/seasons/scheduler';
import { recordOn } from '../helpers/record-sale';
import { reviewSales } from '../../src/lib/server/scoring/review';
import { seasonBounds } from '../../src/lib/contest/calendar';
import { theme } from '../helpers/factories';
import { AppError } from '../../src/lib/server/shared/errors';
import { sqliteStore } from '../../src/lib/server/db/store';

const DAY = 24 * 60 * 60 * 1000;
let ctx: ReturnType<typeof tempDb>;
beforeEach(() => (ctx = tempDb()));
afterEach(() => ctx.cleanup());

/** A monthly season for January 2027 in Warsaw with two teams and a few sellers. */
async function monthlySeason(db: Db) {
	const { startsAt, endsAt } = seasonBounds({
		startDate: '2027-01-01',
		endDate: '2027-01-31',
		timeZone: 'Europe/Warsaw'
	});
	const s = db
		.insert(season)
		.values({
			name: 'January Sprint',
			theme,
			timeZone: 'Europe/Warsaw',
			startsAt,
			endsAt,
			status: 'scheduled',
			recurrence: { every: 1, unit: 'month' },
			graceDays: 3,
			requireConfirmation: true
		})
		.returning()
		.get();
	const [a, b] = [makeTeam(db, s.id, 'Wolves'), makeTeam(db, s.id, 'Falcons')];
	const people = [
		await makeMember(db, s.id, a.id),
		await makeMember(db, s.id, b.id),
		await makeMember(db, s.id, a.id)
	];
	makeProduct(db, s.id, { sku: 'PHONE', points: 50 });
	db.insert(rule)
		.values({
			seasonId: s.id,
			name: 'Double phones in week 2',
			startsAt: startsAt + 7 * DAY,
			endsAt: startsAt + 14 * DAY,
			target: { kind: 'sku', sku: 'PHONE' },
			effect: { kind: 'multiplier', factor: 2 }
		})
		.run();
	return { season: s, people };
}

const at = (iso: string) => () => Date.parse(iso);
const count = (db: Db, table: string) =>
	db.get<{ n: number }>(sql.raw(`select count(*) as n from ${table}`))!.n;

describe('scheduler', () => {
	it('starts and ends seasons on time, once, across a restart, and repeats them', async () => {
		let db = ctx.db;
		const { season: first, people } = await monthlySeason(db);

		expect(await runScheduler(sqliteStore(db), { clock: at('2026-12-31T22:59:00Z') })).toEqual([]); // 23:59 in Warsaw
		expect(await runScheduler(sqliteStore(db), { clock: at('2026-12-31T23:00:00Z') })).toEqual([
			{ seasonId: first.id, to: 'live' }
		]);
		expect(await runScheduler(sqliteStore(db), { clock: at('2026-12-31T23:00:30Z') })).toEqual([]);

		const sell = (i: number, who: number, iso: string) =>
			recordOn(
				db,
				{
					source: 'api',
					externalId: `s${i}`,
					seller: { userId: people[who].id },
					occurredAt: Date.parse(iso),
					lines: [{ sku: 'PHONE', quantity: 1 }]
				},
				at(iso)
			);
		const s1 = await sell(1, 0, '2027-01-05T10:00:00Z');
		await sell(2, 0, '2027-01-10T10:00:00Z'); // inside the double-points week
		const s3 = await sell(3, 1, '2027-01-20T10:00:00Z');
		await reviewSales(
			sqliteStore(db),
			[s1.sale.id],
			{ decision: 'confirm', actor: {} },
			at('2027-01-21T10:00:00Z')
		);

		// The server goes down before the end of January and comes back on 2 February: the first
		// season ends exactly once and exactly one next season is created (then goes live).
		db.$client.close();
		db = openDatabase(ctx.path);
		const afterRestart = await runScheduler(sqliteStore(db), {
			clock: at('2027-02-02T08:00:00Z'),
			holder: 'second-process'
		});
		expect(afterRestart.map((t) => t.to)).toEqual(['ended', 'live']);
		const next = db.select().from(season).where(eq(season.previousSeasonId, first.id)).all();
		expect(next).toHaveLength(1);
		expect(next[0]).toMatchObject({
			name: 'January Sprint · Feb 2027',
			status: 'live',
			startsAt: Date.parse('2027-01-31T23:00:00Z'),
			endsAt: Date.parse('2027-02-28T23:00:00Z')
		});
		// Same teams and members, fresh scores; the rule window moved with the season.
		expect(
			db.get<{ n: number }>(
				sql`select count(*) as n from season_member where season_id = ${next[0].id}`
			)!.n
		).toBe(3);
		expect(
			db.get<{ n: number }>(
				sql`select count(*) as n from standing where season_id = ${next[0].id}`
			)!.n
		).toBe(0);
		const movedRule = db.select().from(rule).where(eq(rule.seasonId, next[0].id)).get()!;
		expect(movedRule.startsAt).toBe(next[0].startsAt + 7 * DAY);

		// Results are frozen with ranks as displayed (pending points shown, confirmed ranked).
		const results = db.select().from(seasonResult).where(eq(seasonResult.seasonId, first.id)).all();
		const byName = (type: string) =>
			results.filter((r) => r.subjectType === type).sort((a, b) => a.rank - b.rank);
		expect(byName('user').map((r) => [r.rank, r.points, r.provisionalPoints])).toEqual([
			[1, 50, 100],
			[2, 0, 50],
			[2, 0, 0]
		]);

		// Late confirmation during the grace period updates the standings; the final freeze keeps it.
		await reviewSales(
			sqliteStore(db),
			[s3.sale.id],
			{ decision: 'confirm', actor: {} },
			at('2027-02-03T08:00:00Z')
		);
		expect(
			(
				await runScheduler(sqliteStore(db), {
					clock: at('2027-02-04T08:00:00Z'),
					holder: 'second-process'
				})
			).map((t) => t.to)
		).toEqual(['archived']);
		const final = db
			.select()
			.from(seasonResult)
			.where(eq(seasonResult.seasonId, first.id))
			.all()
			.filter((r) => r.subjectType === 'user');
		expect(final.map((r) => r.points).sort()).toEqual([0, 50, 50]);
		await expect(
			reviewSales(
				sqliteStore(db),
				[s3.sale.id + 0],
				{ decision: 'reverse', actor: {}, reason: 'late refund' },
				at('2027-02-05T08:00:00Z')
			)
		).rejects.toThrow(AppError);

		// The second season ends too; again one next season, and nothing is done twice.
		const second = await runScheduler(sqliteStore(db), {
			clock: at('2027-03-01T00:00:00Z'),
			holder: 'second-process'
		});
		expect(second.map((t) => t.to)).toEqual(['ended', 'live']);
		for (let i = 0; i < 3; i++)
			expect(
				await runScheduler(sqliteStore(db), {
					clock: at('2027-03-01T00:05:00Z'),
					holder: 'second-process'
				})
			).toEqual([]);
		expect(count(db, 'season')).toBe(3);
		expect(
			db
				.select()
				.from(seasonTransition)
				.all()
				.map((t) => `${t.seasonId}:${t.toStatus}`)
				.sort()
		).toEqual(
			[
				`${first.id}:live`,
				`${first.id}:ended`,
				`${first.id}:archived`,
				`${next[0].id}:live`,
				`${next[0].id}:ended`,
				`${next[0].id + 1}:live`
			].sort()
		);
		// End-of-season badges, once each: the January champion at the end, and the seller whose
		// sale was confirmed in the grace period joins the (shared) first place at finalization.
		const awards = db.all<{ name: string; n: number }>(
			sql`select b.name, count(*) as n from award a join badge b on b.id = a.badge_id where a.season_id = ${first.id} group by b.name order by b.name`
		);
		expect(awards).toEqual([
			{ name: 'Best team', n: 2 },
			{ name: 'Season champion', n: 2 },
			{ name: 'Season podium', n: 2 }
		]);
		db.$client.close();
		ctx.db = openDatabase(ctx.path);
	});

	it('runs in one process at a time: a second holder waits for the lease', async () => {
		const db = ctx.db;
		const { season: s } = await monthlySeason(db);
		const clock = at('2027-01-01T10:00:00Z');
		expect(
			await runScheduler(sqliteStore(db), { clock, holder: 'a', leaseMs: 60_000 })
		).toHaveLength(1);
		db.update(season)
			.set({ endsAt: Date.parse('2027-01-01T10:00:10Z') })
			.where(eq(season.id, s.id))
			.run();
		// b cannot run while a's lease holds; once it lapses b takes over and ends the season once.
		expect(
			await runScheduler(sqliteStore(db), { clock: at('2027-01-01T10:00:30Z'), holder: 'b' })
		).toEqual([]);
		expect(
			(await runScheduler(sqliteStore(db), { clock: at('2027-01-01T10:01:01Z'), holder: 'b' })).map(
				(t) => t.to
			)
		).toEqual(['ended']);
		expect(
			await runScheduler(sqliteStore(db), { clock: at('2027-01-01T10:03:00Z'), holder: 'a' })
		).toEqual([]);
		expect(db.select().from(award).all().length).toBe(0); // nobody scored: no podium
	});
});
