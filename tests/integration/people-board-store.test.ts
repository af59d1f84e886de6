// The consoles' reads of a season's board on the store (#20, db/store.ts): the whole leaderboard
// in one snapshot (`readLeaderboard`, `read`), the people page and one person's history
// (people/participants.ts, boards/person-history.ts) and the ranking export, with the same
// assertions on a temp SQLite file and a throwaway PostgreSQL (tests/helpers/postgres.ts). "Two
// nodes" are two stores on one database: what one wrote, the other reads.
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { readLeaderboard } from '../../src/lib/server/boards/leaderboard';
import { readPersonHistory } from '../../src/lib/server/boards/person-history';
import { rankingCsv } from '../../src/lib/server/exports/season-csv';
import {
	findPersonSale,
	personInSeason,
	personName,
	seasonPeople
} from '../../src/lib/server/people/participants';
import { read, write, type Store } from '../../src/lib/server/db/store';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('people-board-store');

/**
 * A season of four members in two teams: Person .0 120 points, .1 40 + 15 pending, .2 40 (tied
 * with .1: the same rank, listed after), .3 invited and not joined (no standing); the teams' standings too.
 */
async function seasonOfFour(writer: Store) {
	const s = await liveSeasonOn(writer, {
		size: 4,
		teams: ['North', 'South'],
		endsAt: 1e13,
		points: [120, 40, 40, 0]
	});
	const { standing, user } = writer.tables;
	const [p0, p1, p2, p3] = s.people;
	await writer.db
		.update(standing)
		.set({ provisionalPoints: 15, salesCount: 3 })
		.where(eq(standing.subjectId, p1.id));
	// Not joined, never scored: off the board.
	await writer.db.delete(standing).where(eq(standing.subjectId, p3.id));
	await writer.db.update(user).set({ passwordHash: '!' }).where(eq(user.id, p3.id));
	await writer.db.insert(standing).values([
		{
			seasonId: s.seasonId,
			subjectType: 'team',
			subjectId: s.teamIds[0],
			confirmedPoints: 160,
			reachedAt: 2,
			updatedAt: 0
		},
		{
			seasonId: s.seasonId,
			subjectType: 'team',
			subjectId: s.teamIds[1],
			confirmedPoints: 40,
			reachedAt: 1,
			updatedAt: 0
		}
	]);
	return { ...s, p0, p1, p2, p3 };
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i];

	it('the board one node wrote is the other’s: ranks, ties, teams, players; invitees are left out', async () => {
		const s = await seasonOfFour(node(0));
		const board = (await readLeaderboard(node(1), s.seasonId))!;
		expect(board.individual.map((e) => [e.rank, e.name, e.points, e.provisionalPoints])).toEqual([
			[1, s.p0.name, 120, 0],
			[2, s.p1.name, 40, 15],
			[2, s.p2.name, 40, 0]
		]);
		expect(board.teams.map((e) => [e.rank, e.id, e.points])).toEqual([
			[1, s.teamIds[0], 160],
			[2, s.teamIds[1], 40]
		]);
		expect(board.players).toBe(3);
		expect(await readLeaderboard(node(1), 1e9)).toBeNull();
	});

	it('a season ranked by total points counts the pending ones too', async () => {
		const s = await seasonOfFour(node(0));
		const { season } = node(0).tables;
		await node(0).db.update(season).set({ rankBy: 'total' }).where(eq(season.id, s.seasonId));
		const board = (await readLeaderboard(node(1), s.seasonId))!;
		expect(board.individual.map((e) => e.name)).toEqual([s.p0.name, s.p1.name, s.p2.name]);
		expect(board.individual.map((e) => e.rank)).toEqual([1, 2, 3]);
	});

	it('the people page lists the players by rank, then those invited; one person with their history', async () => {
		const s = await seasonOfFour(node(0));
		const people = await seasonPeople(node(1), s.seasonId);
		expect(people.map((p) => [p.rank, p.name, p.confirmed, p.pending, p.invited])).toEqual([
			[1, s.p0.name, 120, 0, false],
			[2, s.p1.name, 40, 15, false],
			[2, s.p2.name, 40, 0, false],
			[0, s.p3.name, 0, 0, true]
		]);
		expect(people[0].email).toBe(s.p0.email);

		const { ledgerEntry, sale, user } = node(0).tables;
		const [boss] = await node(0)
			.db.insert(user)
			.values({
				email: `boss-${s.seasonId}@example.test`,
				displayName: `Boss ${s.seasonId}`,
				role: 'manager',
				passwordHash: 'x'
			})
			.returning({ id: user.id });
		const [sold] = await node(0)
			.db.insert(sale)
			.values({
				seasonId: s.seasonId,
				source: 'web',
				externalId: `people-${s.seasonId}`,
				sellerId: s.p0.id,
				teamId: s.teamIds[0],
				occurredAt: 1_000,
				amount: 100,
				status: 'approved',
				points: 100,
				reviewedById: boss.id,
				reviewedAt: 1_500
			})
			.returning({ id: sale.id });
		const entry = { seasonId: s.seasonId, userId: s.p0.id, teamId: s.teamIds[0] };
		await node(1)
			.db.insert(ledgerEntry)
			.values([
				{
					...entry,
					saleId: sold.id,
					kind: 'sale',
					points: 100,
					status: 'confirmed',
					createdAt: 1_000
				},
				{
					...entry,
					kind: 'adjustment',
					points: 30,
					status: 'confirmed',
					reason: 'Fair launch',
					createdById: boss.id,
					createdAt: 2_000
				},
				{
					...entry,
					kind: 'adjustment',
					points: -10,
					status: 'confirmed',
					reason: 'Typo',
					createdById: boss.id,
					createdAt: 3_000
				},
				// A reversal of nothing is not history.
				{
					...entry,
					saleId: sold.id,
					kind: 'reversal',
					points: 0,
					status: 'confirmed',
					createdAt: 4_000
				}
			]);

		const found = (await personInSeason(node(0), s.seasonId, s.p0.id))!;
		expect(found.person.rank).toBe(1);
		expect(found.of).toBe(3);
		expect(found.adjusted).toBe(20);
		expect(found.history.map((h) => [h.kind, h.points, h.by, h.reason])).toEqual([
			['adjustment', -10, `Boss ${s.seasonId}`, 'Typo'],
			['adjustment', 30, `Boss ${s.seasonId}`, 'Fair launch'],
			['sale', 100, null, null]
		]);
		expect(found.history[2].review).toEqual({ at: 1_500, by: `Boss ${s.seasonId}` });
		// The limit counts entries read, the reversal of nothing among them (as the boards' history).
		expect(await readPersonHistory(node(1), s.seasonId, s.p0.id, 3)).toHaveLength(2);
		// Someone not in the season, another person's sale: nothing.
		expect(await personInSeason(node(0), s.seasonId, boss.id)).toBeUndefined();
		expect(await findPersonSale(node(1), s.seasonId, s.p0.id, sold.id)).toEqual({
			id: sold.id,
			status: 'approved'
		});
		expect(await findPersonSale(node(1), s.seasonId, s.p1.id, sold.id)).toBeUndefined();
		expect(await personName(node(1), boss.id)).toBe(`Boss ${s.seasonId}`);
	});

	it('the ranking export is the board: people then teams', async () => {
		const s = await seasonOfFour(node(1));
		const lines = (await rankingCsv(node(0), s.seasonId)).trim().split(/\r?\n/);
		expect(lines).toEqual([
			'scope,rank,name,team,confirmedPoints,provisionalPoints,salesCount',
			`individual,1,${s.p0.name},North,120,0,0`,
			`individual,2,${s.p1.name},South,40,15,3`,
			`individual,2,${s.p2.name},North,40,0,0`,
			'team,1,North,,160,0,0',
			'team,2,South,,40,0,0'
		]);
	});

	it('read() sees one moment: a commit by the other node between its queries is not in it', async () => {
		const s = await liveSeasonOn(node(0), { size: 1, teams: ['A'], endsAt: 1e13 });
		const { season } = node(0).tables;
		const versionOf = async (db: Store['db']) =>
			(await db.select({ v: season.version }).from(season).where(eq(season.id, s.seasonId)))[0].v;
		const before = await versionOf(node(0).db);
		const seen = await read(node(0), async (tx) => {
			const first = await versionOf(tx);
			const other = node(1);
			if (other.dialect === 'sqlite')
				// Synchronous, so that the read's callback lets no event loop turn.
				other.sqlite.$client
					.prepare('update season set version = version + 1 where id = ?')
					.run(s.seasonId);
			else
				await write(other, (w) =>
					w
						.update(season)
						.set({ version: before + 1 })
						.where(eq(season.id, s.seasonId))
				);
			return [first, await versionOf(tx)];
		});
		expect(seen).toEqual([before, before]);
		expect(await versionOf(node(0).db)).toBe(before + 1);
	});
});
