// The duels ported onto the store (#20, db/store.ts): advancing them (challenges/advance.ts: a
// guarded update per move, the stake paid and the win's badges in the same write), their
// standings and the pages' and API's reads (standings.ts, view.ts, challenge-api.ts), with the
// same assertions on a temp SQLite file and a throwaway PostgreSQL, two nodes each
// (tests/helpers/store-nodes.ts). The duels' commands are tested in formats-store.test.ts.
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import type { ChallengeStatus } from '../../src/lib/server/db/schema';
import { advanceChallenges } from '../../src/lib/server/challenges/advance';
import { challengeChoices, stakeBudget } from '../../src/lib/server/challenges/standings';
import { invitationsFor, readDuels, readDuelsFor } from '../../src/lib/server/challenges/view';
import { listChallenges } from '../../src/lib/server/challenges/challenge-api';
import { setStakeBudget } from '../../src/lib/server/challenges/commands';
import { adjustPoints } from '../../src/lib/server/scoring/adjustments';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { appErrorCode, liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('challenges-store');
const NOW = 1_800_000_000_000;
const DAY = 24 * 60 * 60 * 1000;
/** A week that ended eight days ago: past the season's seven grace days. */
const PAST = { from: NOW - 15 * DAY, to: NOW - 8 * DAY };
/** The week under way. */
const LIVE = { from: NOW - 2 * DAY, to: NOW + 5 * DAY };

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i];

	/** A season of four (Alpha: p0, p2; Beta: p1, p3), a stake budget and points in `period`. */
	async function seasonWithPoints(period: { from: number }, points: number[]) {
		const made = await liveSeasonOn(node(0), {
			size: 4,
			teams: ['Alpha', 'Beta'],
			endsAt: NOW * 2,
			timeZone: 'UTC'
		});
		const [boss] = made.people;
		await setStakeBudget(
			node(0),
			{ seasonId: made.seasonId, actorId: boss.id, budget: 100 },
			() => period.from - DAY
		);
		for (const [i, value] of points.entries())
			if (value !== 0)
				await adjustPoints(
					node(i % 2),
					{
						seasonId: made.seasonId,
						userId: made.people[i].id,
						points: value,
						reason: 'Duel fixture',
						actor: { userId: i === 0 ? made.people[1].id : boss.id }
					},
					() => period.from + DAY
				);
		return made;
	}

	/** A duel as the console leaves it, written on node 0. */
	async function duel(
		seasonId: number,
		sides: [number, number],
		period: { from: number; to: number },
		more: { status?: ChallengeStatus; stake?: number; subject?: 'user' | 'team' } = {}
	) {
		const { challenge } = node(0).tables;
		const [row] = await node(0)
			.db.insert(challenge)
			.values({
				seasonId,
				subjectType: more.subject ?? 'user',
				challengerId: sides[0],
				opponentId: sides[1],
				measure: 'points',
				periodFrom: period.from,
				periodTo: period.to,
				stakePoints: more.stake ?? 0,
				status: more.status ?? 'live',
				answerBy: period.from,
				createdAt: period.from - DAY
			})
			.returning();
		return row;
	}

	async function duelRow(store: Store, id: number) {
		const { challenge } = store.tables;
		const [row] = await store.db.select().from(challenge).where(eq(challenge.id, id));
		return row;
	}

	async function versionOf(store: Store, seasonId: number) {
		const { season } = store.tables;
		const [row] = await store.db
			.select({ version: season.version })
			.from(season)
			.where(eq(season.id, seasonId));
		return row.version;
	}

	async function confirmedOf(store: Store, seasonId: number, userId: number) {
		const { standing } = store.tables;
		const [row] = await store.db
			.select({ points: standing.confirmedPoints })
			.from(standing)
			.where(
				and(
					eq(standing.seasonId, seasonId),
					eq(standing.subjectType, 'user'),
					eq(standing.subjectId, userId)
				)
			);
		return row?.points ?? 0;
	}

	it('a duel and the points one node wrote are what the other reads', async () => {
		const { seasonId, people, teamIds } = await seasonWithPoints(LIVE, [30, 10, 0, 0]);
		const [ann, bob, cid] = people;
		const live = await duel(seasonId, [ann.id, bob.id], LIVE, { stake: 20 });
		const proposal = await duel(seasonId, [cid.id, bob.id], LIVE, { status: 'proposed' });
		// Open to an answer until tomorrow: an invitation to Bob, not to Ann.
		const { challenge } = node(0).tables;
		await node(0)
			.db.update(challenge)
			.set({ answerBy: NOW + DAY })
			.where(eq(challenge.id, proposal.id));

		const [first] = await readDuels(node(1), seasonId, (c) => eq(c.id, live.id));
		expect(first).toMatchObject({
			status: 'live',
			stake: 20,
			challenger: { id: ann.id, name: ann.name, value: 30 },
			opponent: { id: bob.id, name: bob.name, value: 10 },
			leaderId: ann.id
		});
		expect((await readDuelsFor(node(1), seasonId, bob.id, teamIds[1])).map((d) => d.id)).toEqual([
			proposal.id,
			live.id
		]);
		expect(
			(await invitationsFor(node(1), seasonId, bob.id, teamIds[1], NOW)).map((d) => d.id)
		).toEqual([proposal.id]);
		expect(await invitationsFor(node(1), seasonId, ann.id, teamIds[0], NOW)).toEqual([]);
		// 20 held by the live duel.
		expect(await stakeBudget(node(1), seasonId)).toEqual({ budget: 100, left: 80 });
		const choices = await challengeChoices(node(1), seasonId, ann.id, teamIds[0]);
		const byId = (a: number, b: number) => a - b;
		expect(choices.people.map((p) => p.id).sort(byId)).toEqual(
			people
				.slice(1)
				.map((p) => p.id)
				.sort(byId)
		);
		expect(choices.teams.map((t) => t.id)).toEqual([teamIds[1]]);
		// The API's list, filtered by status, with the people's emails.
		const listed = await listChallenges(node(1), seasonId, { status: 'live', limit: 10 });
		expect(listed).toHaveLength(1);
		expect(listed[0]).toMatchObject({
			id: live.id,
			challenger: { email: ann.email, value: 30 },
			opponent: { email: bob.email, value: 10 }
		});
		// Points written on node 1 later are what node 0 reads at once.
		await adjustPoints(
			node(1),
			{ seasonId, userId: bob.id, points: 25, reason: 'Late sale', actor: { userId: ann.id } },
			() => LIVE.from + 2 * DAY
		);
		const [now] = await readDuels(node(0), seasonId, (c) => eq(c.id, live.id));
		expect([now.challenger.value, now.opponent.value, now.leaderId]).toEqual([30, 35, bob.id]);
	});

	it('a duel frozen on both nodes at once is decided and paid once', async () => {
		const { seasonId, people } = await seasonWithPoints(PAST, [30, 10, 0, 0]);
		const [ann, bob] = people;
		const made = await duel(seasonId, [ann.id, bob.id], PAST, { status: 'finished', stake: 20 });
		const before = await versionOf(node(0), seasonId);
		const runs = await Promise.all([
			advanceChallenges(node(0), () => NOW),
			advanceChallenges(node(1), () => NOW)
		]);
		expect(runs.reduce((n, r) => n + r.finalized, 0)).toBe(1);
		expect(runs.reduce((n, r) => n + r.moved, 0)).toBe(1);
		const row = await duelRow(node(1), made.id);
		expect(row).toMatchObject({
			status: 'final',
			challengerValue: 30,
			opponentValue: 10,
			winnerId: ann.id,
			finalizedAt: NOW
		});
		const { ledgerEntry } = node(1).tables;
		const stakes = await node(1)
			.db.select({ id: ledgerEntry.id, userId: ledgerEntry.userId, points: ledgerEntry.points })
			.from(ledgerEntry)
			.where(and(eq(ledgerEntry.seasonId, seasonId), eq(ledgerEntry.kind, 'challenge')));
		expect(stakes).toEqual([{ id: row.payoutEntryId, userId: ann.id, points: 20 }]);
		expect(await confirmedOf(node(1), seasonId, ann.id)).toBe(50);
		expect(await confirmedOf(node(0), seasonId, bob.id)).toBe(10);
		expect(await versionOf(node(1), seasonId)).toBeGreaterThan(before);
		// The stake is paid out of the budget; another run moves nothing and pays nothing.
		expect(await stakeBudget(node(0), seasonId)).toEqual({ budget: 100, left: 80 });
		expect(await advanceChallenges(node(1), () => NOW)).toEqual({ moved: 0, finalized: 0 });
		expect(await advanceChallenges(node(0), () => NOW + DAY)).toMatchObject({ finalized: 0 });
		expect(await confirmedOf(node(0), seasonId, ann.id)).toBe(50);
		const [shown] = await readDuels(node(0), seasonId, (c) => eq(c.id, made.id));
		expect(shown).toMatchObject({ status: 'final', leaderId: ann.id });
	});

	it("a team's win frozen on both nodes at once records its members and badges them once", async () => {
		const { seasonId, people, teamIds } = await seasonWithPoints(PAST, [30, 10, 15, 0]);
		const { badge, award, challengeWinMember } = node(0).tables;
		const [won] = await node(0)
			.db.insert(badge)
			.values({
				seasonId,
				name: 'Duel winner',
				emoji: '⚔️',
				description: 'Won a duel',
				criterion: { kind: 'duels_won', count: 1 },
				points: 0
			})
			.returning({ id: badge.id });
		const made = await duel(seasonId, [teamIds[0], teamIds[1]], PAST, {
			status: 'finished',
			subject: 'team'
		});
		const runs = await Promise.all([
			advanceChallenges(node(0), () => NOW),
			advanceChallenges(node(1), () => NOW)
		]);
		expect(runs.reduce((n, r) => n + r.finalized, 0)).toBe(1);
		const row = await duelRow(node(1), made.id);
		expect(row).toMatchObject({ status: 'final', challengerValue: 45, opponentValue: 10 });
		expect(row.winnerId).toBe(teamIds[0]);
		const members = await node(1)
			.db.select({ userId: challengeWinMember.userId, teamId: challengeWinMember.teamId })
			.from(challengeWinMember)
			.where(eq(challengeWinMember.challengeId, made.id))
			.orderBy(challengeWinMember.userId);
		expect(members).toEqual(
			[people[0].id, people[2].id]
				.sort((a, b) => a - b)
				.map((userId) => ({
					userId,
					teamId: teamIds[0]
				}))
		);
		const awarded = await node(1)
			.db.select({ subjectId: award.subjectId })
			.from(award)
			.where(eq(award.badgeId, won.id))
			.orderBy(award.subjectId);
		expect(awarded.map((a) => a.subjectId)).toEqual(members.map((m) => m.userId));
	});

	it('a proposal expires once, a duel not due does not move, and a bad season changes nothing', async () => {
		const { seasonId, people } = await seasonWithPoints(LIVE, [0, 0, 0, 0]);
		const [ann, bob, cid] = people;
		const proposal = await duel(seasonId, [ann.id, bob.id], LIVE, { status: 'proposed' });
		const coming = await duel(
			seasonId,
			[cid.id, bob.id],
			{ from: NOW + DAY, to: NOW + 8 * DAY },
			{ status: 'accepted' }
		);
		const before = await versionOf(node(0), seasonId);
		const runs = await Promise.all([
			advanceChallenges(node(0), () => NOW),
			advanceChallenges(node(1), () => NOW)
		]);
		expect(runs.reduce((n, r) => n + r.moved, 0)).toBe(1);
		expect((await duelRow(node(1), proposal.id)).status).toBe('expired');
		expect(await duelRow(node(1), coming.id)).toEqual(coming);
		// An expiry pays nothing: the version stays.
		expect(await versionOf(node(1), seasonId)).toBe(before);
		expect(await appErrorCode(() => listChallenges(node(1), seasonId + 999, { limit: 10 }))).toBe(
			'not_found'
		);
		expect(await readDuels(node(1), seasonId + 999)).toEqual([]);
		expect(await stakeBudget(node(1), seasonId + 999)).toEqual({ budget: 0, left: 0 });
	});
});
