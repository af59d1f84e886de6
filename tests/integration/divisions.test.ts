import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeMember, makeProduct, makeSeason, makeTeam } from '../helpers/factories';
import type { Db } from '../../src/lib/server/db';
import {
	award,
	badge,
	division,
	divisionMember,
	quota,
	season,
	seasonResult,
	team as teamTable
} from '../../src/lib/server/db/schema';
import { appendEntryInWrite } from '../../src/lib/server/scoring/ledger';
import { markStandingsMoved, type StandingMove } from '../../src/lib/server/scoring/standings';
import { runScheduler } from '../../src/lib/server/seasons/scheduler';
import { carryDivisionsInWrite } from '../../src/lib/server/divisions/carry';
import {
	moveMember,
	placeAutomatically,
	saveDivision
} from '../../src/lib/server/divisions/commands';
import { buildDivisionsView } from '../../src/lib/server/divisions/view';
import { buildQuotasView } from '../../src/lib/server/quotas/view';
import { parseQuotaCsv } from '../../src/lib/server/quotas/quota-csv';
import { importQuotas, setQuota } from '../../src/lib/server/quotas/commands';
import { sqliteStore, write } from '../../src/lib/server/db/store';
import { AppError } from '../../src/lib/server/shared/errors';
import { createActivityType, listActivityTypes } from '../../src/lib/server/activities/types';

const DAY = 24 * 60 * 60 * 1000;
const END = Date.parse('2027-03-31T22:00:00Z');
let ctx: ReturnType<typeof tempDb>;
beforeEach(() => (ctx = tempDb()));
afterEach(() => ctx.cleanup());

const manager = { userId: null };

/** A live, monthly repeating season with a team and `n` members, ending at END. */
async function contest(db: Db, n: number) {
	const s = makeSeason(
		db,
		{
			startsAt: END - 30 * DAY,
			endsAt: END,
			recurrence: { every: 1, unit: 'month' },
			graceDays: 3
		},
		END - 10 * DAY
	);
	const t = makeTeam(db, s.id, 'North');
	makeProduct(db, s.id);
	const people: Awaited<ReturnType<typeof makeMember>>[] = [];
	for (let i = 0; i < n; i++)
		people.push(await makeMember(db, s.id, t.id, { name: `P${i + 1}`, email: `p${i + 1}@x.test` }));
	const store = sqliteStore(db);
	const score = async (i: number, points: number, at: number) => {
		const moved: StandingMove[] = [];
		await write(store, (tx) =>
			appendEntryInWrite(
				tx,
				store,
				{
					seasonId: s.id,
					userId: people[i].id,
					teamId: t.id,
					kind: 'adjustment',
					points,
					status: 'confirmed'
				},
				at,
				moved
			)
		);
		markStandingsMoved(moved);
	};
	return { season: s, team: t, people, score };
}

const divisionInput = (seasonId: number, name: string, promote: number, relegate: number) => ({
	id: null,
	seasonId,
	name,
	promote,
	relegate,
	prizes: [{ title: `${name} trophy`, place: 1 }]
});

function placementOf(db: Db, seasonId: number) {
	const rows = db
		.select({ userId: divisionMember.userId, name: division.name, by: divisionMember.placedBy })
		.from(divisionMember)
		.innerJoin(division, eq(division.id, divisionMember.divisionId))
		.where(eq(divisionMember.seasonId, seasonId))
		.all();
	return Object.fromEntries(rows.map((r) => [r.userId, r.name]));
}

/** The divisions named, created in order (top first); their ids. */
async function saveDivisions(db: Db, seasonId: number, names: string[]): Promise<number[]> {
	const ids: number[] = [];
	for (const name of names)
		ids.push(
			await saveDivision(
				sqliteStore(db),
				divisionInput(seasonId, name, 1, 1),
				manager,
				END - 9 * DAY
			)
		);
	return ids;
}

describe('divisions', () => {
	it('promotes the top and relegates the bottom into the rerun, exactly once', async () => {
		const db = ctx.db;
		const { season: s, people, score } = await contest(db, 7);
		const [gold, silver, bronze] = await saveDivisions(db, s.id, ['Gold', 'Silver', 'Bronze']);
		const place = (i: number, d: number) =>
			moveMember(
				sqliteStore(db),
				{ seasonId: s.id, userId: people[i].id, divisionId: d },
				manager,
				END - 9 * DAY
			);
		for (const i of [0, 1]) await place(i, gold);
		for (const i of [2, 3, 4]) await place(i, silver);
		for (const i of [5, 6]) await place(i, bronze);
		// Gold: P1 90, P2 10 → P2 down. Silver: P3 and P4 tie at 50, P3 reached it first → P3 up;
		// P5 0 → down. Bronze: P6 30 → up, P7 nothing.
		await score(0, 90, END - 8 * DAY);
		await score(1, 10, END - 8 * DAY);
		await score(2, 50, END - 7 * DAY);
		await score(3, 50, END - 6 * DAY);
		await score(5, 30, END - 5 * DAY);

		const view = buildDivisionsView(db, s.id, END - DAY)!;
		expect(view.divisions.map((d) => d.name)).toEqual(['Gold', 'Silver', 'Bronze']);
		expect(view.divisions[1].entries.map((e) => [e.name, e.rank, e.move])).toEqual([
			['P3', 1, 'up'],
			['P4', 1, 'stay'],
			['P5', 3, 'down']
		]);

		// The season ends; the scheduler runs twice (a second process, a restart).
		expect((await runScheduler(sqliteStore(db), { clock: () => END })).map((t) => t.to)).toContain(
			'ended'
		);
		expect(
			await runScheduler(sqliteStore(db), { clock: () => END + 1000, holder: 'other' })
		).toEqual([]);
		const next = db.select().from(season).where(eq(season.previousSeasonId, s.id)).get()!;
		const expected = {
			[people[0].id]: 'Gold',
			[people[1].id]: 'Silver',
			[people[2].id]: 'Gold',
			[people[3].id]: 'Silver',
			[people[4].id]: 'Bronze',
			[people[5].id]: 'Silver',
			[people[6].id]: 'Bronze'
		};
		expect(placementOf(db, next.id)).toEqual(expected);
		expect(
			db
				.select()
				.from(division)
				.where(eq(division.seasonId, next.id))
				.all()
				.map((d) => [d.name, d.position, d.promote, d.prizes?.[0]?.title])
		).toEqual([
			['Gold', 1, 1, 'Gold trophy'],
			['Silver', 2, 1, 'Silver trophy'],
			['Bronze', 3, 1, 'Bronze trophy']
		]);
		// Carrying again (a repeated transition) changes nothing.
		const store = sqliteStore(db);
		expect(await write(store, (tx) => carryDivisionsInWrite(tx, store, s, next, END + 2000))).toBe(
			false
		);
		expect(placementOf(db, next.id)).toEqual(expected);
		expect(
			db.select().from(divisionMember).where(eq(divisionMember.seasonId, next.id)).all()
		).toHaveLength(7);
	});

	it('decides the moves again from the final results when the grace period ends', async () => {
		const db = ctx.db;
		const { season: s, people, score } = await contest(db, 4);
		const [gold, silver] = await saveDivisions(db, s.id, ['Gold', 'Silver']);
		const place = (i: number, d: number) =>
			moveMember(
				sqliteStore(db),
				{ seasonId: s.id, userId: people[i].id, divisionId: d },
				manager,
				END - 9 * DAY
			);
		for (const i of [0, 1]) await place(i, gold);
		for (const i of [2, 3]) await place(i, silver);
		// At the end: Gold P1 90, P2 10 → P2 down; Silver P3 50, P4 20 → P3 up.
		await score(0, 90, END - 8 * DAY);
		await score(1, 10, END - 8 * DAY);
		await score(2, 50, END - 7 * DAY);
		await score(3, 20, END - 6 * DAY);
		expect((await runScheduler(sqliteStore(db), { clock: () => END })).map((t) => t.to)).toContain(
			'ended'
		);
		const next = db.select().from(season).where(eq(season.previousSeasonId, s.id)).get()!;
		const [p1, p2, p3, p4] = people.map((p) => p.id);
		expect(placementOf(db, next.id)).toEqual({
			[p1]: 'Gold',
			[p2]: 'Silver',
			[p3]: 'Gold',
			[p4]: 'Silver'
		});

		// During the grace period a late confirmation lifts P4 above P3 and a reversal takes P3's
		// sale back; a manager moves P2 back to Gold by hand in the rerun.
		await score(3, 40, END + DAY);
		await score(2, -45, END + DAY);
		const rerunGold = db
			.select()
			.from(division)
			.where(eq(division.seasonId, next.id))
			.all()
			.find((d) => d.name === 'Gold')!;
		await moveMember(
			sqliteStore(db),
			{ seasonId: next.id, userId: p2, divisionId: rerunGold.id },
			manager,
			END + DAY
		);
		// Nothing moves before the grace period is over (the rerun only opens)…
		expect(
			(await runScheduler(sqliteStore(db), { clock: () => END + 2 * DAY })).map((t) => t.to)
		).not.toContain('archived');
		expect(placementOf(db, next.id)[p3]).toBe('Gold');
		// …then the final results decide: P4 goes up, P3 stays in Silver, P2 stays where the
		// manager put them; once only.
		expect(
			(await runScheduler(sqliteStore(db), { clock: () => END + 3 * DAY + 1000 })).map((t) => t.to)
		).toEqual(['archived']);
		const final = { [p1]: 'Gold', [p2]: 'Gold', [p3]: 'Silver', [p4]: 'Gold' };
		expect(placementOf(db, next.id)).toEqual(final);
		expect(
			await runScheduler(sqliteStore(db), { clock: () => END + 4 * DAY, holder: 'other' })
		).toEqual([]);
		expect(placementOf(db, next.id)).toEqual(final);
	});

	it('gives the end-of-season badges on a final place: any rank, and in one’s division', async () => {
		const db = ctx.db;
		const { season: s, people, score } = await contest(db, 5);
		const [gold, silver] = await saveDivisions(db, s.id, ['Gold', 'Silver']);
		for (const i of [0, 1])
			await moveMember(
				sqliteStore(db),
				{ seasonId: s.id, userId: people[i].id, divisionId: gold },
				manager,
				END
			);
		for (const i of [2, 3, 4])
			await moveMember(
				sqliteStore(db),
				{ seasonId: s.id, userId: people[i].id, divisionId: silver },
				manager,
				END
			);
		// Season: P1 90, P2 60, P3 40, P4 20, P5 nothing. Gold: P1 first; Silver: P3 first.
		for (const [i, points] of [90, 60, 40, 20].entries()) await score(i, points, END - 5 * DAY);
		const make = (name: string, criterion: (typeof badge.$inferInsert)['criterion']) =>
			db.insert(badge).values({ seasonId: s.id, name, criterion }).returning().get().id;
		const topTwo = make('Top two', { kind: 'season_place', maxRank: 2 });
		const divisionWinner = make('Division winner', { kind: 'division_place', maxRank: 1 });
		const inactive = db
			.insert(badge)
			.values({
				seasonId: s.id,
				name: 'Off',
				criterion: { kind: 'division_place', maxRank: 3 },
				active: false
			})
			.returning()
			.get().id;
		await runScheduler(sqliteStore(db), { clock: () => END });
		const holders = (badgeId: number) =>
			db
				.select({ id: award.subjectId })
				.from(award)
				.where(eq(award.badgeId, badgeId))
				.all()
				.map((a) => a.id)
				.sort((a, b) => a - b);
		expect(holders(topTwo)).toEqual([people[0].id, people[1].id]);
		expect(holders(divisionWinner)).toEqual([people[0].id, people[2].id]);
		expect(holders(inactive)).toEqual([]);

		// A late confirmation in the grace period makes P4 Silver's winner: the final results
		// give P4 the badge too; P3 keeps theirs. Once only.
		await score(3, 30, END + DAY);
		await runScheduler(sqliteStore(db), { clock: () => END + 3 * DAY + 1000 });
		await runScheduler(sqliteStore(db), { clock: () => END + 4 * DAY, holder: 'other' });
		expect(holders(divisionWinner)).toEqual([people[0].id, people[2].id, people[3].id]);
	});

	it('gives the target badge at the season’s end to people and teams at N % of their target', async () => {
		const db = ctx.db;
		const { season: s, people, team, score } = await contest(db, 3);
		await score(0, 120, END - 5 * DAY); // target 100: 120 %
		await score(1, 150, END - 5 * DAY); // target 200: 75 %
		await score(2, 500, END - 5 * DAY); // no target
		const target = (subject: { type: 'user' | 'team'; id: number }, points: number) =>
			setQuota(sqliteStore(db), { seasonId: s.id, subject, target: points }, manager, END - DAY);
		await target({ type: 'user', id: people[0].id }, 100);
		await target({ type: 'user', id: people[1].id }, 200);
		await target({ type: 'team', id: team.id }, 700); // the team has 770
		const reached = db
			.insert(badge)
			.values({
				seasonId: s.id,
				name: 'On target',
				criterion: { kind: 'quota_attained', percent: 100 }
			})
			.returning()
			.get().id;
		await runScheduler(sqliteStore(db), { clock: () => END });
		const holders = db
			.select({ type: award.subjectType, id: award.subjectId })
			.from(award)
			.where(eq(award.badgeId, reached))
			.all()
			.sort((a, b) => a.type.localeCompare(b.type));
		expect(holders).toEqual([
			{ type: 'team', id: team.id },
			{ type: 'user', id: people[0].id }
		]);
	});

	it('places automatically by last season’s place or level, and refuses bad moves', async () => {
		const db = ctx.db;
		const { season: s, people } = await contest(db, 5);
		const last = makeSeason(db, {
			status: 'archived',
			startsAt: END - 90 * DAY,
			endsAt: END - 40 * DAY
		});
		db.update(season).set({ previousSeasonId: last.id }).where(eq(season.id, s.id)).run();
		// Last season: P1 2000 points (Gold level), P2 600 (Silver), P3 100, P4 50; P5 is new.
		[2000, 600, 100, 50].forEach((points, i) =>
			db
				.insert(seasonResult)
				.values({
					seasonId: last.id,
					subjectType: 'user',
					subjectId: people[i].id,
					name: `P${i + 1}`,
					rank: i + 1,
					points,
					provisionalPoints: 0,
					salesCount: 1,
					frozenAt: END - 40 * DAY
				})
				.run()
		);
		await expect(
			placeAutomatically(sqliteStore(db), s.id, 'tier', manager, END - 9 * DAY)
		).rejects.toThrow(AppError);
		const [gold, , bronze] = await saveDivisions(db, s.id, ['Gold', 'Silver', 'Bronze']);
		// Sent twice: one division.
		expect(
			await saveDivision(sqliteStore(db), divisionInput(s.id, 'Gold', 1, 1), manager, END)
		).toBe(gold);
		const ids = people.map((p) => p.id);
		expect(await placeAutomatically(sqliteStore(db), s.id, 'tier', manager, END - 9 * DAY)).toBe(5);
		expect(Object.values(placementOf(db, s.id))).toEqual([
			'Gold',
			'Silver',
			'Bronze',
			'Bronze',
			'Bronze'
		]);
		await placeAutomatically(sqliteStore(db), s.id, 'last_place', manager, END - 9 * DAY);
		expect(ids.map((id) => placementOf(db, s.id)[id])).toEqual([
			'Gold',
			'Gold',
			'Silver',
			'Bronze',
			'Bronze'
		]);
		await expect(
			moveMember(sqliteStore(db), { seasonId: s.id, userId: ids[0], divisionId: 999 }, manager, END)
		).rejects.toThrow(AppError);
		await moveMember(
			sqliteStore(db),
			{ seasonId: s.id, userId: ids[0], divisionId: bronze },
			manager,
			END
		);
		expect(placementOf(db, s.id)[ids[0]]).toBe('Bronze');
		await moveMember(
			sqliteStore(db),
			{ seasonId: s.id, userId: ids[0], divisionId: null },
			manager,
			END
		);
		expect(placementOf(db, s.id)[ids[0]]).toBeUndefined();
	});
});

describe('quotas', () => {
	it('imports a good file whole, and nothing of a file with a bad row', async () => {
		const db = ctx.db;
		const { season: s } = await contest(db, 3);
		const bad = await parseQuotaCsv(
			sqliteStore(db),
			s.id,
			'email,team,target\np1@x.test,,1000\nnobody@x.test,,5\np2@x.test,,-3\n,North,\np1@x.test,,7\n,,9\n'
		);
		expect(bad.quotas).toEqual([]);
		expect(bad.errors.map((e) => [e.row, e.column])).toEqual([
			[3, 'email'],
			[4, 'target'],
			[5, 'target'],
			[6, 'email'],
			[7, null]
		]);
		const good = await parseQuotaCsv(
			sqliteStore(db),
			s.id,
			'Email;Team;Target\r\nP1@x.test;;1000\r\n;north;6000\r\n'
		);
		expect(good.errors).toEqual([]);
		expect(await importQuotas(sqliteStore(db), s.id, good.quotas, manager, END)).toBe(2);
		// Again: the same targets, not twice.
		await importQuotas(sqliteStore(db), s.id, good.quotas, manager, END);
		expect(
			db
				.select()
				.from(quota)
				.where(eq(quota.seasonId, s.id))
				.orderBy(quota.id)
				.all()
				.map((q) => [q.subjectType, q.targetPoints])
		).toEqual([
			['user', 1000],
			['team', 6000]
		]);
		expect(
			(await parseQuotaCsv(sqliteStore(db), s.id, 'email,target\n')).errors[0].message
		).toMatch(/no targets/);
	});

	it('gives the rerun the same targets and activity types', async () => {
		const db = ctx.db;
		const { season: s, people, team } = await contest(db, 2);
		await setQuota(
			sqliteStore(db),
			{ seasonId: s.id, subject: { type: 'user', id: people[0].id }, target: 600 },
			manager,
			END - DAY
		);
		await setQuota(
			sqliteStore(db),
			{ seasonId: s.id, subject: { type: 'team', id: team.id }, target: 2600 },
			manager,
			END - DAY
		);
		await createActivityType(
			sqliteStore(db),
			s.id,
			{ key: 'call', name: 'Call', points: 2, emoji: '📞' },
			manager
		);
		await runScheduler(sqliteStore(db), { clock: () => END });
		const next = db.select().from(season).where(eq(season.previousSeasonId, s.id)).get()!;
		const nextTeam = db.select().from(teamTable).where(eq(teamTable.seasonId, next.id)).get()!;
		expect(
			db
				.select({ type: quota.subjectType, id: quota.subjectId, target: quota.targetPoints })
				.from(quota)
				.where(eq(quota.seasonId, next.id))
				.all()
				.sort((a, b) => a.type.localeCompare(b.type))
		).toEqual([
			{ type: 'team', id: nextTeam.id, target: 2600 },
			{ type: 'user', id: people[0].id, target: 600 }
		]);
		expect(
			(await listActivityTypes(sqliteStore(db), next.id)).map((t) => [
				t.key,
				t.name,
				t.points,
				t.emoji,
				t.active
			])
		).toEqual([['call', 'Call', 2, '📞', true]]);
	});

	it('ranks by % of target with those without a target after, and by improvement', async () => {
		const db = ctx.db;
		const { season: s, people, team, score } = await contest(db, 4);
		await score(0, 300, END - 9 * DAY); // target 600 → 50 %
		await score(1, 100, END - 9 * DAY); // target 100 → 100 %
		await score(2, 900, END - 9 * DAY); // no target
		await setQuota(
			sqliteStore(db),
			{ seasonId: s.id, subject: { type: 'user', id: people[0].id }, target: 600 },
			manager,
			END
		);
		await setQuota(
			sqliteStore(db),
			{ seasonId: s.id, subject: { type: 'user', id: people[1].id }, target: 100 },
			manager,
			END
		);
		await setQuota(
			sqliteStore(db),
			{ seasonId: s.id, subject: { type: 'team', id: team.id }, target: 2600 },
			manager,
			END
		);
		await expect(async () =>
			setQuota(
				sqliteStore(db),
				{ seasonId: s.id, subject: { type: 'team', id: 999 }, target: 5 },
				manager,
				END
			)
		).rejects.toThrow(AppError);
		const view = buildQuotasView(db, s.id, END - 15 * DAY)!;
		expect(view.attainment.ranked).toBe(2);
		expect(view.attainment.entries.map((e) => [e.name, e.rank, e.value])).toEqual([
			['P2', 1, 1],
			['P1', 2, 0.5],
			['P3', null, null],
			['P4', null, null]
		]);
		expect(view.teams.map((t) => [t.name, t.value])).toEqual([['North', 0.5]]);
		// No last season: nothing to improve on.
		expect(view.improved).toBeNull();

		const last = makeSeason(db, {
			status: 'archived',
			startsAt: END - 90 * DAY,
			endsAt: END - 60 * DAY
		});
		db.update(season).set({ previousSeasonId: last.id }).where(eq(season.id, s.id)).run();
		// Last season P1 made 400, P2 1000; half of this season has passed (15 of 30 days).
		[400, 1000].forEach((points, i) =>
			db
				.insert(seasonResult)
				.values({
					seasonId: last.id,
					subjectType: 'user',
					subjectId: people[i].id,
					name: `P${i + 1}`,
					rank: i + 1,
					points,
					provisionalPoints: 0,
					salesCount: 1,
					frozenAt: END - 60 * DAY
				})
				.run()
		);
		const improved = buildQuotasView(db, s.id, END - 15 * DAY)!.improved!;
		expect(improved.share).toBe(0.5);
		expect(improved.entries.map((e) => [e.name, e.rank, e.value])).toEqual([
			['P1', 1, 0.5], // 300 against a pace of 200
			['P2', 2, -0.8], // 100 against a pace of 500
			['P3', null, null],
			['P4', null, null]
		]);
	});
});
