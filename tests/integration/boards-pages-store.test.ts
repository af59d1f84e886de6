// The boards' pages on the store (#20, db/store.ts): the hall of fame (/hall-of-fame, its
// seasons and their results.csv, boards/hall-of-fame.ts), the console home's overview
// (/manage, boards/overview.ts) and a person's profile (/people/[id], boards/profile.ts
// `readProfile`; its badges are still the badges' synchronous reads), with the same assertions on a temp
// SQLite file and a throwaway PostgreSQL (tests/helpers/postgres.ts). "Two nodes" are two stores
// on one database: what one wrote, the other reads.
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { hallOfFameSeason, listHallOfFame } from '../../src/lib/server/boards/hall-of-fame';
import { seasonOverview } from '../../src/lib/server/boards/overview';
import { readRecentActivity } from '../../src/lib/server/boards/activity';
import { readProfile } from '../../src/lib/server/boards/profile';
import { resultsCsv } from '../../src/lib/server/exports/season-csv';
import type { Store } from '../../src/lib/server/db/store';
import type { ActivityItem } from '../../src/lib/realtime/events';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('boards-pages-store');

/**
 * A season of three in two teams that ended (or was archived) with its results frozen: Person .0
 * first with 90, .1 and .2 tied second with 30 (.2 with 5 pending), the North team first; a prize
 * for the first place and one for a badge.
 */
async function endedSeason(writer: Store, status: 'ended' | 'archived' = 'ended') {
	const s = await liveSeasonOn(writer, { size: 3, teams: ['North', 'South'], endsAt: 1e12 });
	const { badge, season, seasonResult, team } = writer.tables;
	const [p0, p1, p2] = s.people;
	const [star] = await writer.db
		.insert(badge)
		.values({
			seasonId: s.seasonId,
			name: `Star ${s.seasonId}`,
			emoji: '⭐',
			description: 'A star',
			criterion: { kind: 'first_sale' }
		})
		.returning({ id: badge.id });
	await writer.db
		.update(season)
		.set({
			status,
			prizes: [
				{ title: 'A trip', place: 1 },
				{ title: 'A mug', badgeId: star.id }
			]
		})
		.where(eq(season.id, s.seasonId));
	await writer.db
		.update(team)
		.set({ color: '#112233', emoji: '🐻' })
		.where(eq(team.id, s.teamIds[0]));
	const result = (
		subjectType: 'user' | 'team',
		subjectId: number,
		name: string,
		teamName: string | null,
		rank: number,
		points: number,
		provisionalPoints = 0
	) => ({
		seasonId: s.seasonId,
		subjectType,
		subjectId,
		name,
		teamName,
		rank,
		points,
		provisionalPoints,
		salesCount: 1,
		frozenAt: 5_000
	});
	await writer.db
		.insert(seasonResult)
		.values([
			result('user', p1.id, p1.name, 'South', 2, 30),
			result('user', p0.id, p0.name, 'North', 1, 90),
			result('user', p2.id, p2.name, 'North', 2, 30, 5),
			result('team', s.teamIds[0], 'North', null, 1, 120),
			result('team', s.teamIds[1], 'South', null, 2, 30)
		]);
	return { ...s, p0, p1, p2, star };
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i];

	it('the hall of fame lists the seasons another node ended, newest first, with podium and best team', async () => {
		const older = await endedSeason(node(0), 'archived');
		const { season } = node(0).tables;
		await node(0).db.update(season).set({ endsAt: 5e11 }).where(eq(season.id, older.seasonId));
		const newer = await endedSeason(node(0));
		const live = await liveSeasonOn(node(0), { size: 1, teams: ['Only'], endsAt: 1e13 });

		const hall = await listHallOfFame(node(1));
		const ids = hall.map((h) => h.id);
		expect(ids).not.toContain(live.seasonId);
		expect(ids.indexOf(newer.seasonId)).toBeLessThan(ids.indexOf(older.seasonId));
		const shown = hall.find((h) => h.id === newer.seasonId)!;
		expect(shown).toMatchObject({
			name: newer.name,
			status: 'ended',
			final: false,
			participants: 3,
			bestTeam: 'North',
			endsAt: 1e12
		});
		expect(shown.podium).toEqual([
			{ rank: 1, name: newer.p0.name, points: 90 },
			{ rank: 2, name: newer.p1.name, points: 30 },
			{ rank: 2, name: newer.p2.name, points: 30 }
		]);
		expect(hall.find((h) => h.id === older.seasonId)).toMatchObject({
			status: 'archived',
			final: true
		});
		// Both nodes read the same hall at once.
		const [a, b] = await Promise.all([listHallOfFame(node(0)), listHallOfFame(node(1))]);
		expect(a).toEqual(b);
	});

	it('one season’s results: ranks as frozen, team colours, prizes with their badge, and its CSV', async () => {
		const s = await endedSeason(node(0));
		const found = (await hallOfFameSeason(node(1), s.seasonId))!;
		expect(found.frozenAt).toBe(5_000);
		expect(found.season).toMatchObject({ id: s.seasonId, name: s.name, status: 'ended' });
		expect(found.season.prizes.map((p) => [p.title, p.place, p.badge?.id ?? null])).toEqual([
			['A trip', 1, null],
			['A mug', null, s.star.id]
		]);
		expect(
			found.individual.map((e) => [e.rank, e.name, e.points, e.provisionalPoints, e.color ?? null])
		).toEqual([
			[1, s.p0.name, 90, 0, '#112233'],
			[2, s.p1.name, 30, 0, expect.any(String)],
			[2, s.p2.name, 30, 5, '#112233']
		]);
		expect(found.teams.map((e) => [e.rank, e.id, e.points, e.emoji])).toEqual([
			[1, s.teamIds[0], 120, '🐻'],
			[2, s.teamIds[1], 30, expect.any(String)]
		]);
		const csv = resultsCsv(found);
		expect(csv).toContain(s.p0.name);
		expect(csv).toContain('North');
		expect(await hallOfFameSeason(node(0), s.seasonId)).toEqual(found);
	});

	it('a season not over, or none, has no results, and asking changes nothing', async () => {
		const live = await liveSeasonOn(node(0), { size: 1, teams: ['Only'], endsAt: 1e13 });
		const { season } = node(0).tables;
		const before = await node(0).db.select().from(season).where(eq(season.id, live.seasonId));
		expect(await hallOfFameSeason(node(1), live.seasonId)).toBeNull();
		expect(await hallOfFameSeason(node(1), 987_654)).toBeNull();
		expect(await node(0).db.select().from(season).where(eq(season.id, live.seasonId))).toEqual(
			before
		);
	});

	it('the overview counts what another node sold: totals, pending, who has not sold, the latest sales', async () => {
		const s = await liveSeasonOn(node(0), { size: 3, teams: ['North', 'South'], endsAt: 1e13 });
		const [p0, p1, p2] = s.people;
		const empty = await seasonOverview(node(1), s.seasonId, []);
		expect(empty.totals).toEqual({ sales: 0, points: 0, revenue: 0, sellers: 0, pending: 0 });
		expect(empty.notYetSold.map((m) => m.id).sort()).toEqual([p0.id, p1.id, p2.id].sort());

		const { sale } = node(0).tables;
		const sold = async (
			seller: typeof p0,
			teamId: number,
			n: number,
			status: 'approved' | 'pending',
			points: number,
			amount: number
		) => {
			const [row] = await node(0)
				.db.insert(sale)
				.values({
					seasonId: s.seasonId,
					source: 'web',
					externalId: `overview-${s.seasonId}-${n}`,
					sellerId: seller.id,
					teamId,
					occurredAt: 1_000 + n,
					amount,
					status,
					points,
					createdAt: 2_000 + n
				})
				.returning({ id: sale.id });
			return row.id;
		};
		await sold(p0, s.teamIds[0], 1, 'approved', 100, 250);
		await sold(p0, s.teamIds[0], 2, 'pending', 40, 80);
		const last = await sold(p1, s.teamIds[1], 3, 'approved', 10, 20);

		const feed = [
			{
				id: `sale:${last}`,
				seasonId: s.seasonId,
				kind: 'sale' as const,
				userId: p1.id,
				userName: p1.name,
				teamName: 'South',
				summary: '',
				points: 10,
				provisional: false,
				at: 1_003
			}
		];
		const overview = await seasonOverview(node(1), s.seasonId, feed);
		expect(overview.totals).toEqual({
			sales: 3,
			points: 150,
			revenue: 350,
			sellers: 2,
			pending: 1
		});
		expect(overview.members).toBe(3);
		expect(overview.notYetSold.map((m) => [m.id, m.email, m.team, m.sales])).toEqual([
			[p2.id, p2.email, 'North', 0]
		]);
		expect(overview.recent).toEqual([
			{ ...feed[0], id: last, source: 'web', amount: 20, customerRef: null, status: 'approved' }
		]);
		// Both nodes at once see the same overview.
		const [a, b] = await Promise.all([
			seasonOverview(node(0), s.seasonId, feed),
			seasonOverview(node(1), s.seasonId, feed)
		]);
		expect(a).toEqual(b);
		expect(a).toEqual(overview);
		// With the boards' feed as the pages read it, the same details; the feed's other items
		// (an activity logged, here) are not sales and stay out of the console's latest sales.
		const recent = await readRecentActivity(node(0), s.seasonId, 25);
		const logged: ActivityItem = {
			id: 'activity:1',
			seasonId: s.seasonId,
			kind: 'activity',
			userId: s.people[0].id,
			userName: s.people[0].name,
			teamName: 'Team',
			summary: '1 × Call',
			points: 2,
			provisional: false,
			at: Date.now()
		};
		const withFeed = await seasonOverview(node(0), s.seasonId, [logged, ...recent]);
		expect(withFeed.recent.map((r) => [r.id, r.points])).toEqual([
			[last, 10],
			[expect.any(Number), 40],
			[expect.any(Number), 100]
		]);
		expect((await seasonOverview(node(1), 987_654, [])).totals.sales).toBe(0);
	});

	it('a profile reads what another node scored: totals, rank, timeline, latest sales, badge prizes', async () => {
		const DAY = 86_400_000;
		const s = await liveSeasonOn(node(0), {
			size: 3,
			teams: ['North', 'South'],
			endsAt: 1e13,
			points: [0, 0, 0]
		});
		const [p0, p1, p2] = s.people;
		const { badge, ledgerEntry, sale, season, standing } = node(0).tables;
		const [star] = await node(0)
			.db.insert(badge)
			.values({
				seasonId: s.seasonId,
				name: `Star ${s.seasonId}`,
				emoji: '⭐',
				description: 'A star',
				criterion: { kind: 'first_sale' }
			})
			.returning({ id: badge.id });
		await node(0)
			.db.update(season)
			.set({ prizes: [{ title: 'A mug', badgeId: star.id }] })
			.where(eq(season.id, s.seasonId));
		const [sold] = await node(0)
			.db.insert(sale)
			.values({
				seasonId: s.seasonId,
				source: 'web',
				externalId: `profile-${s.seasonId}`,
				sellerId: p1.id,
				teamId: s.teamIds[1],
				occurredAt: DAY + 5,
				amount: 100,
				status: 'approved',
				points: 50
			})
			.returning({ id: sale.id });
		// Day 1: p0 40; day 2: p1's sale of 50 takes the lead; p2 never scores.
		await node(0)
			.db.insert(ledgerEntry)
			.values([
				{
					seasonId: s.seasonId,
					userId: p0.id,
					teamId: s.teamIds[0],
					kind: 'adjustment',
					points: 40,
					status: 'confirmed',
					createdAt: 10
				},
				{
					seasonId: s.seasonId,
					userId: p1.id,
					teamId: s.teamIds[1],
					saleId: sold.id,
					kind: 'sale',
					points: 50,
					status: 'confirmed',
					createdAt: DAY + 10
				}
			]);
		await node(0)
			.db.update(standing)
			.set({ confirmedPoints: 40, reachedAt: 10 })
			.where(eq(standing.subjectId, p0.id));
		await node(0)
			.db.update(standing)
			.set({ confirmedPoints: 50, salesCount: 1, reachedAt: DAY + 10 })
			.where(eq(standing.subjectId, p1.id));

		const [row] = await node(1).db.select().from(season).where(eq(season.id, s.seasonId));
		const profile = (await readProfile(node(1), row, p1.id, 2 * DAY + 1))!;
		expect(profile.person).toMatchObject({ id: p1.id, name: p1.name, teamName: 'South' });
		expect(profile.totals).toEqual({ confirmed: 50, pending: 0, rank: 1, of: 3, salesCount: 1 });
		expect(profile.timeline.map((t) => [t.day, t.points, t.rank])).toEqual([
			['1970-01-01', 0, 2],
			['1970-01-02', 50, 1],
			['1970-01-03', 50, 1]
		]);
		expect(profile.recent.map((r) => [r.points, r.status, r.saleStatus])).toEqual([
			[50, 'confirmed', 'approved']
		]);
		expect([...profile.badgePrizes]).toEqual([[star.id, 'A mug']]);
		expect(profile.teamId).toBe(s.teamIds[1]);
		// Both nodes at once read the same profile; someone not taking part has none.
		const [a, b] = await Promise.all([
			readProfile(node(0), row, p1.id, 2 * DAY + 1),
			readProfile(node(1), row, p1.id, 2 * DAY + 1)
		]);
		expect(a).toEqual(b);
		expect((await readProfile(node(0), row, p2.id, 2 * DAY + 1))!.totals.rank).toBe(3);
		expect(await readProfile(node(1), row, 987_654, 2 * DAY + 1)).toBeUndefined();
	});
});
