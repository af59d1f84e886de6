// The live boards' reads through the store (#20, db/store.ts): the top of a board with the
// viewer's place (boards/leaderboard.ts `readBoardTop`), the ranking's pages (`readRankingPage`,
// the board's "show more" and the API), one person's place (`readStanding`, /me and the sell
// pages) and the number of players, with the same assertions on a temp SQLite file and a
// throwaway PostgreSQL. "Two nodes" are two stores on one database: what one node writes (a sale
// through the ledger's InWrite helpers), the other node's boards show, ranked as the whole board
// (`readLeaderboard`, ported and tested before) ranks it.
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { appendEntryInWrite } from '../../src/lib/server/scoring/ledger';
import {
	bumpVersionInWrite,
	markStandingsMoved,
	type StandingMove
} from '../../src/lib/server/scoring/standings';
import {
	readBoardTop,
	readLeaderboard,
	readPlayersCount,
	readRankingPage,
	readStanding
} from '../../src/lib/server/boards/leaderboard';
import { write, type Store } from '../../src/lib/server/db/store';
import type { LeaderboardEntry } from '../../src/lib/realtime/events';
import { readRecentActivity } from '../../src/lib/server/boards/activity';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { appErrorCode, liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('boards-store');
const NOW = 1_900_000_000_000;

type Ranking = { rankBy: 'confirmed' | 'total'; tieRule: 'competition' | 'dense' };

/**
 * A season whose board has every region the ranking window reads: a tie group (three people at
 * 25 points reached at one moment), a person ranked by provisional points when the season ranks
 * by total, one below 0, members who joined without a standing row (at 0) and an invited person
 * who never joined (not a player).
 */
async function boardSeason(store: Store, ranking: Ranking) {
	const { season, standing, user } = store.tables;
	const s = await liveSeasonOn(store, {
		size: 10,
		teams: ['North', 'South', 'East'],
		endsAt: 1e13,
		points: [40, 25, 25, 25, 10, 0, -5, 0, 0, 0]
	});
	await store.db.update(season).set(ranking).where(eq(season.id, s.seasonId));
	const standingOf = (i: number) =>
		and(
			eq(standing.seasonId, s.seasonId),
			eq(standing.subjectType, 'user'),
			eq(standing.subjectId, s.people[i].id)
		);
	for (const i of [1, 2, 3])
		await store.db.update(standing).set({ reachedAt: 7 }).where(standingOf(i));
	await store.db.update(standing).set({ provisionalPoints: 30 }).where(standingOf(4));
	for (const i of [7, 8, 9]) await store.db.delete(standing).where(standingOf(i));
	await store.db.update(user).set({ passwordHash: '!' }).where(eq(user.id, s.people[9].id));
	return s;
}

/** A sale's entry for a person, written on `store` as the sales path writes it. */
async function sell(
	store: Store,
	s: { seasonId: number; teamIds: number[] },
	userId: number,
	teamId: number,
	points: number,
	status: 'provisional' | 'confirmed' = 'confirmed'
) {
	const moved: StandingMove[] = [];
	await write(store, async (tx) => {
		await appendEntryInWrite(
			tx,
			store,
			{ seasonId: s.seasonId, userId, teamId, kind: 'sale', points, status },
			NOW,
			moved,
			1
		);
		await bumpVersionInWrite(tx, store, s.seasonId);
	});
	markStandingsMoved(moved);
}

/** Every page of the ranking, `limit` at a time, following `next`. */
async function allPages(store: Store, seasonId: number, limit: number) {
	const entries: LeaderboardEntry[] = [];
	let after: string | undefined;
	for (let pages = 0; pages < 50; pages++) {
		const page = (await readRankingPage(store, seasonId, { after, limit }))!;
		entries.push(...page.entries);
		if (!page.next) return entries;
		after = page.next;
	}
	throw new Error('the ranking did not end');
}

const rankings: Ranking[] = [
	{ rankBy: 'confirmed', tieRule: 'competition' },
	{ rankBy: 'total', tieRule: 'dense' }
];

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i];

	it.each(rankings)(
		'a sale written on one node is on the other’s board, pages and places, ranked as the whole board ($rankBy, $tieRule)',
		async (ranking) => {
			const s = await boardSeason(node(0), ranking);
			const [, , , , dan, , , gus] = s.people;
			// Dan passes the tie group; Gus (no standing row until now) leaves 0.
			await sell(node(0), s, dan.id, s.teamIds[1], 20);
			await sell(node(0), s, gus.id, s.teamIds[1], 5, 'provisional');

			const whole = (await readLeaderboard(node(1), s.seasonId))!;
			expect(whole.individual).toHaveLength(9);
			const top = (await readBoardTop(node(1), s.seasonId, { top: 4, viewerId: dan.id }))!;
			expect(top.version).toBe(whole.version);
			expect(top.individual).toEqual(whole.individual.slice(0, 4));
			expect(top.teams).toEqual(whole.teams);
			expect(top.players).toBe(9);
			expect(top.me?.entry).toEqual(whole.individual.find((e) => e.id === dan.id));
			expect(await readPlayersCount(node(1), s.seasonId)).toBe(9);

			for (const limit of [1, 2, 4, 50])
				expect(await allPages(node(1), s.seasonId, limit)).toEqual(whole.individual);

			for (const [at, entry] of whole.individual.entries()) {
				const place = (await readStanding(node(1), s.seasonId, entry.id))!;
				expect(place.entry).toEqual(entry);
				// The neighbours are a run of the whole board around the person.
				const first = whole.individual.findIndex((e) => e.id === place.neighbours[0].id);
				expect(place.neighbours).toEqual(
					whole.individual.slice(first, first + place.neighbours.length)
				);
				expect(first).toBeLessThanOrEqual(at);
				// The next one up is the last of the next value up.
				const ahead = whole.individual.filter((e) => e.rank < entry.rank).at(-1);
				expect(place.gap?.nextName ?? null).toBe(ahead?.name ?? null);
				if (ahead) expect(place.gap!.nextRank).toBe(ahead.rank);
			}
			// The invited person who never joined is no player.
			expect(await readStanding(node(1), s.seasonId, s.people[9].id)).toBeNull();
		}
	);

	it('sales written on both nodes at once are each counted once on both nodes’ boards', async () => {
		const s = await boardSeason(node(0), rankings[0]);
		const [ann, bob] = s.people;
		await Promise.all([
			sell(node(0), s, ann.id, s.teamIds[0], 3),
			sell(node(1), s, bob.id, s.teamIds[1], 100)
		]);
		const boards = await Promise.all(
			[0, 1].map((i) => readBoardTop(node(i), s.seasonId, { top: 2 }))
		);
		expect(boards[0]).toEqual(boards[1]);
		expect(boards[0]!.individual.map((e) => [e.name, e.points])).toEqual([
			[bob.name, 125],
			[ann.name, 43]
		]);
		expect(boards[0]!.version).toBe((await readLeaderboard(node(0), s.seasonId))!.version);
	});

	it('the feed on one node shows what the other wrote: counted sales with their lines and activities, newest first', async () => {
		const s = await liveSeasonOn(node(0), { size: 2, teams: ['North'], endsAt: 1e13 });
		const [ann, bob] = s.people;
		const { activity, activityType, product, sale, saleLine } = node(0).tables;
		const [kit] = await node(0)
			.db.insert(product)
			.values({
				seasonId: s.seasonId,
				sku: `kit-${s.seasonId}`,
				name: 'Kit',
				category: 'K',
				points: 5
			})
			.returning({ id: product.id });
		const sold = async (who: number, status: 'approved' | 'rejected', at: number) => {
			const [row] = await node(0)
				.db.insert(sale)
				.values({
					seasonId: s.seasonId,
					source: 'web',
					externalId: `boards-${s.seasonId}-${at}`,
					sellerId: who,
					teamId: s.teamIds[0],
					occurredAt: at,
					amount: 100,
					status,
					points: 10,
					createdAt: at
				})
				.returning({ id: sale.id });
			await node(0)
				.db.insert(saleLine)
				.values({ saleId: row.id, productId: kit.id, quantity: 2, unitPrice: 50, points: 10 });
		};
		await sold(ann.id, 'approved', NOW);
		await sold(bob.id, 'rejected', NOW + 1);
		const [call] = await node(0)
			.db.insert(activityType)
			.values({ seasonId: s.seasonId, key: 'call', name: 'Call', points: 2, emoji: '📞' })
			.returning({ id: activityType.id });
		await node(0)
			.db.insert(activity)
			.values({
				seasonId: s.seasonId,
				userId: bob.id,
				teamId: s.teamIds[0],
				typeId: call.id,
				quantity: 3,
				occurredAt: NOW + 2,
				source: 'web',
				externalId: `boards-call-${s.seasonId}`,
				points: 6,
				createdAt: NOW + 2
			});

		const feed = await readRecentActivity(node(1), s.seasonId);
		expect(feed.map((item) => [item.kind, item.userName, item.points])).toEqual([
			['activity', bob.name, 6],
			['sale', ann.name, 10]
		]);
		expect(feed[1]).toMatchObject({ summary: '2 × Kit', provisional: false, at: NOW });
		expect(await readRecentActivity(node(1), s.seasonId, 1)).toEqual(feed.slice(0, 1));
	});

	it('a cursor the API did not give out is refused; an unknown season reads as none', async () => {
		const s = await boardSeason(node(0), rankings[0]);
		expect(
			await appErrorCode(() =>
				readRankingPage(node(1), s.seasonId, { after: 'bm90LWl0', limit: 5 })
			)
		).toBe('invalid_cursor');
		expect(await readRankingPage(node(1), 999_999, { limit: 5 })).toBeNull();
		expect(await readBoardTop(node(1), 999_999)).toBeNull();
		expect(await readStanding(node(1), 999_999, s.people[0].id)).toBeNull();
		expect(await readPlayersCount(node(1), 999_999)).toBe(0);
	});
});
