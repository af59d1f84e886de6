// A season's end and archive on the store (#20, db/store.ts), on SQLite and PostgreSQL, with two
// nodes on one database: two nodes ending one season at once end it once (one set of results,
// one transitions row, one set of awards, one season.ended delivery, one rerun with its divisions
// carried, one chat message), the archive likewise with what changed in the grace period, and a board that moved
// after it was read is never frozen.
import { describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import {
	nextTransitionAt,
	releaseLease,
	runScheduler,
	runSchedulerOffThread,
	type BoardReader
} from '../../src/lib/server/seasons/scheduler';
import { readFinalBoardOnStore } from '../../src/lib/server/seasons/final-board';
import { onDomainEventInWrite } from '../../src/lib/server/notify/events';
import { onChatDomainEventInWrite } from '../../src/lib/server/notify/chat/queue';
import { forgetChannels } from '../../src/lib/server/notify/chat/channels';
import { twoNodesPerDialect, type Dialect } from '../helpers/store-nodes';
import { auditsOf, liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('season-end-store');
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const NOW = Date.UTC(2027, 2, 31, 12);

/** A recurring live season that ended a minute ago: four people (40, 30, 20, 10 points), two
 * divisions (Gold: the first two, Silver: the last two; one up, one down), a webhook for every
 * event, and a grace period of two days. */
async function endedSeason(store: Store) {
	const s = await liveSeasonOn(store, {
		size: 4,
		teams: ['North', 'South'],
		endsAt: NOW - MINUTE,
		points: [40, 30, 20, 10]
	});
	const { division, divisionMember, season, webhook } = store.tables;
	await store.db
		.update(season)
		.set({ recurrence: { every: 1, unit: 'month' }, graceDays: 2, startsAt: NOW - 30 * DAY })
		.where(eq(season.id, s.seasonId));
	const [gold, silver] = await store.db
		.insert(division)
		.values([
			{ seasonId: s.seasonId, name: 'Gold', position: 1, promote: 1, relegate: 1 },
			{ seasonId: s.seasonId, name: 'Silver', position: 2, promote: 1, relegate: 1 }
		])
		.returning({ id: division.id });
	await store.db.insert(divisionMember).values(
		s.people.map((p, i) => ({
			seasonId: s.seasonId,
			userId: p.id,
			divisionId: i < 2 ? gold.id : silver.id,
			placedBy: 'hand' as const
		}))
	);
	await store.db.delete(webhook);
	await store.db.insert(webhook).values({
		url: 'https://example.test/hook',
		secret: 'secret',
		events: ['season.ended', 'badge.awarded']
	});
	return s;
}

async function transitionsOf(store: Store, seasonId: number) {
	const { seasonTransition } = store.tables;
	return (
		await store.db
			.select({ to: seasonTransition.toStatus })
			.from(seasonTransition)
			.where(eq(seasonTransition.seasonId, seasonId))
			.orderBy(seasonTransition.id)
	).map((r) => r.to);
}

async function resultsOf(store: Store, seasonId: number) {
	const { seasonResult } = store.tables;
	return store.db
		.select({
			type: seasonResult.subjectType,
			id: seasonResult.subjectId,
			rank: seasonResult.rank,
			points: seasonResult.points
		})
		.from(seasonResult)
		.where(eq(seasonResult.seasonId, seasonId))
		.orderBy(seasonResult.subjectType, seasonResult.rank, seasonResult.subjectId);
}

/** Each award of the season as "badge name:subject id", sorted. */
async function awardsOf(store: Store, seasonId: number) {
	const { award, badge } = store.tables;
	return (
		await store.db
			.select({ name: badge.name, subjectId: award.subjectId })
			.from(award)
			.innerJoin(badge, eq(badge.id, award.badgeId))
			.where(eq(award.seasonId, seasonId))
	)
		.map((a) => `${a.name}:${a.subjectId}`)
		.sort();
}

/** The deliveries queued for the season, by event. */
async function deliveriesOf(store: Store, seasonId: number) {
	const { webhookDelivery } = store.tables;
	const rows = await store.db.select().from(webhookDelivery);
	const mine = rows.filter(
		(r) =>
			(r.payload as { data: { seasonId?: number; season?: { id: number } } }).data.seasonId ===
				seasonId ||
			(r.payload as { data: { season?: { id: number } } }).data.season?.id === seasonId
	);
	return {
		ended: mine.filter((r) => r.event === 'season.ended'),
		badges: mine.filter((r) => r.event === 'badge.awarded')
	};
}

/** The rerun's placements: person id → division name. */
async function placementOf(store: Store, seasonId: number) {
	const { division, divisionMember } = store.tables;
	const rows = await store.db
		.select({ userId: divisionMember.userId, name: division.name, by: divisionMember.placedBy })
		.from(divisionMember)
		.innerJoin(division, eq(division.id, divisionMember.divisionId))
		.where(eq(divisionMember.seasonId, seasonId));
	return Object.fromEntries(rows.map((r) => [r.userId, `${r.name}/${r.by}`]));
}

async function statusOf(store: Store, seasonId: number) {
	const { season } = store.tables;
	const [row] = await store.db
		.select({ status: season.status, finalizedAt: season.finalizedAt })
		.from(season)
		.where(eq(season.id, seasonId));
	return row;
}

/** A person's confirmed points set to `points`, as a sale would: the season's version moves. */
async function setPoints(store: Store, seasonId: number, userId: number, points: number) {
	const { season, standing } = store.tables;
	await store.db
		.update(standing)
		.set({ confirmedPoints: points })
		.where(
			and(
				eq(standing.seasonId, seasonId),
				eq(standing.subjectType, 'user'),
				eq(standing.subjectId, userId)
			)
		);
	await store.db
		.update(season)
		.set({ version: sql`${season.version} + 1` })
		.where(eq(season.id, seasonId));
}

describe.each(['sqlite', 'postgres'] as Dialect[])('a season’s end on %s', (dialect) => {
	it('two nodes ending and archiving one season at once do each once, rerun and divisions included', async () => {
		const [a, b] = nodes[dialect];
		const s = await endedSeason(a);
		const [p0, p1, p2, p3] = s.people.map((p) => p.id);
		// A chat channel that wants the season's end, and the chat's handler as startChat
		// registers it in a running server: the message is queued in the end's write.
		const { chatChannel, outgoingMessage } = a.tables;
		const [channel] = await a.db
			.insert(chatChannel)
			.values({
				platform: 'slack',
				name: `#ends-${dialect}`,
				url: 'https://hooks.slack.com/services/T0/B0/x',
				events: ['season_end']
			})
			.returning({ id: chatChannel.id });
		forgetChannels();
		const off = onDomainEventInWrite(onChatDomainEventInWrite);
		const runs = await Promise.all(
			[a, b].map((node) => runScheduler(node, { clock: () => NOW, holder: 'same-holder' }))
		).finally(off);
		expect(
			await b.db
				.select({ kind: outgoingMessage.kind })
				.from(outgoingMessage)
				.where(eq(outgoingMessage.chatChannelId, channel.id))
		).toEqual([{ kind: 'season_end' }]);
		await a.db.update(chatChannel).set({ active: false }).where(eq(chatChannel.id, channel.id));
		forgetChannels();
		const { season } = b.tables;
		const reruns = await b.db.select().from(season).where(eq(season.previousSeasonId, s.seasonId));
		expect(reruns).toHaveLength(1);
		const rerun = reruns[0];
		expect(runs.flat()).toEqual([{ seasonId: s.seasonId, to: 'ended', nextSeasonId: rerun.id }]);
		expect(rerun.status).toBe('scheduled');
		expect(await transitionsOf(b, s.seasonId)).toEqual(['ended']);
		expect((await statusOf(a, s.seasonId)).status).toBe('ended');
		// Four people and two teams, frozen once.
		expect(await resultsOf(b, s.seasonId)).toEqual([
			{ type: 'team', id: s.teamIds[0], rank: 1, points: 0 },
			{ type: 'team', id: s.teamIds[1], rank: 1, points: 0 },
			{ type: 'user', id: p0, rank: 1, points: 40 },
			{ type: 'user', id: p1, rank: 2, points: 30 },
			{ type: 'user', id: p2, rank: 3, points: 20 },
			{ type: 'user', id: p3, rank: 4, points: 10 }
		]);
		// The champion and three on the podium, each once (no team scored: no team badge).
		const awards = await awardsOf(a, s.seasonId);
		expect(awards).toHaveLength(4);
		expect(awards.filter((x) => x.endsWith(`:${p0}`))).toHaveLength(2);
		// The starter badges were created once, whichever node wrote them.
		const { badge } = a.tables;
		expect(await a.db.select().from(badge).where(eq(badge.seasonId, s.seasonId))).toHaveLength(3);
		const delivered = await deliveriesOf(b, s.seasonId);
		expect(delivered.badges).toHaveLength(4);
		expect(delivered.ended).toHaveLength(1);
		expect(delivered.ended[0].payload).toMatchObject({
			type: 'season.ended',
			data: {
				season: { id: s.seasonId },
				podium: [
					{ rank: 1, id: p0, points: 40 },
					{ rank: 2, id: p1, points: 30 },
					{ rank: 3, id: p2, points: 20 }
				],
				nextSeasonId: rerun.id
			}
		});
		// The rerun: same people, divisions carried once: p1 down, p2 up.
		expect(await placementOf(b, rerun.id)).toEqual({
			[p0]: 'Gold/carry',
			[p1]: 'Silver/carry',
			[p2]: 'Gold/carry',
			[p3]: 'Silver/carry'
		});
		expect((await auditsOf(a, `season:${rerun.id}`)).map((e) => [e.action, e.data])).toEqual([
			['division.carry', { fromSeasonId: s.seasonId, promoted: 1, relegated: 1 }]
		]);

		// In the grace period a late confirmation lifts p3 to the top of Silver and of the season.
		await setPoints(b, s.seasonId, p3, 50);
		const archiveAt = NOW - MINUTE + 2 * DAY;
		expect(await nextTransitionAt(a)).toBe(archiveAt);
		const archives = await Promise.all(
			[a, b].map((node) => runScheduler(node, { clock: () => archiveAt, holder: 'same-holder' }))
		);
		expect(archives.flat()).toEqual([{ seasonId: s.seasonId, to: 'archived' }]);
		expect(await transitionsOf(a, s.seasonId)).toEqual(['ended', 'archived']);
		expect(await statusOf(b, s.seasonId)).toEqual({ status: 'archived', finalizedAt: archiveAt });
		// The results replaced once by the final ones, not added to.
		const final = await resultsOf(a, s.seasonId);
		expect(final.filter((r) => r.type === 'user').map((r) => [r.id, r.rank])).toEqual([
			[p3, 1],
			[p0, 2],
			[p1, 3],
			[p2, 4]
		]);
		expect(final).toHaveLength(6);
		// p3 earns the champion's and the podium's badges once; nobody loses one.
		const after = await awardsOf(b, s.seasonId);
		expect(after).toHaveLength(6);
		expect(after.filter((x) => x.endsWith(`:${p3}`))).toHaveLength(2);
		expect((await deliveriesOf(a, s.seasonId)).badges).toHaveLength(6);
		expect((await deliveriesOf(a, s.seasonId)).ended).toHaveLength(1);
		// The rerun's carried places decided again once: p3 up instead of p2.
		expect(await placementOf(a, rerun.id)).toEqual({
			[p0]: 'Gold/carry',
			[p1]: 'Silver/carry',
			[p2]: 'Silver/carry',
			[p3]: 'Gold/carry'
		});
		expect((await auditsOf(b, `season:${rerun.id}`)).map((e) => e.action)).toEqual([
			'division.carry',
			'division.recarry'
		]);
		// Nothing is due any more: the rerun waits for its products.
		expect(await runScheduler(b, { clock: () => archiveAt, holder: 'same-holder' })).toEqual([]);
		await releaseLease(a, 'same-holder');
		// Out of the later tests' way.
		await a.db.update(season).set({ status: 'archived' }).where(eq(season.id, rerun.id));
	});

	it('a board that moved after it was read is never frozen', async () => {
		const [a, b] = nodes[dialect];
		const s = await liveSeasonOn(a, {
			size: 2,
			teams: ['East'],
			endsAt: NOW - MINUTE,
			points: [10, 5]
		});
		const [p0, p1] = s.people.map((p) => p.id);
		// Every board handed to the end is read, then overtaken by a sale on the other node.
		let reads = 0;
		const racing: BoardReader = {
			finalBoard: async (seasonId) => {
				const board = await readFinalBoardOnStore(a, seasonId);
				reads++;
				await setPoints(b, seasonId, p1, 10 + 5 * reads);
				return board;
			}
		};
		const done = await runSchedulerOffThread(a, racing, { clock: () => NOW, holder: 'racer' });
		expect(reads).toBe(3);
		// The third time the end reads the board in its own write: the board as it is now.
		expect(done).toEqual([{ seasonId: s.seasonId, to: 'ended' }]);
		expect((await resultsOf(b, s.seasonId)).filter((r) => r.type === 'user')).toEqual([
			{ type: 'user', id: p1, rank: 1, points: 25 },
			{ type: 'user', id: p0, rank: 2, points: 10 }
		]);
		expect(await transitionsOf(a, s.seasonId)).toEqual(['ended']);
		await releaseLease(a, 'racer');
		const { season } = a.tables;
		await a.db.update(season).set({ status: 'archived' }).where(eq(season.id, s.seasonId));
	});
});
