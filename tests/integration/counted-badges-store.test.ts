// The counted badges on the store (#20, badges/counted.ts `awardCountedInWrite`,
// `withdrawCountedInWrite`; apply-in-write.ts): "activities logged" given in the logging write
// and withdrawn in the voiding one, "quizzes passed" after the pass, with the same assertions on
// a temp SQLite file and a throwaway PostgreSQL, two nodes each (tests/helpers/store-nodes.ts):
// the award, its points on the ledger and in the standings, `badge.awarded` queued for the
// webhooks; two nodes reaching the count at once give the badge once. On SQLite the award is the
// one the synchronous re-evaluation computes (`countedEarned`); on both its web push is queued
// in the write. The wins' badges (duels, sprints, knockouts) are challenges-store.test.ts's and
// sprints-store.test.ts's.
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import type { BadgeCriterion } from '../../src/lib/contest/badges';
import { createActivityType } from '../../src/lib/server/activities/types';
import { logActivity, type LogActivityInput } from '../../src/lib/server/activities/record';
import { voidActivity } from '../../src/lib/server/activities/void';
import { createQuiz, publishQuiz, questionsOf } from '../../src/lib/server/quizzes/commands';
import { takeQuiz } from '../../src/lib/server/quizzes/attempts';
import { countedEarned } from '../../src/lib/server/badges/counted';
import { createBadge } from '../../src/lib/server/badges/commands';
import { startPushNotices } from '../../src/lib/server/notify/push/queue';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { badgesPushedLive } from '../helpers/badges';
import { liveSeasonOn, pointsOf } from '../helpers/store-season';

const nodes = twoNodesPerDialect('counted-badges-store');
const NOW = 1_800_000_000_000;
const HOUR = 60 * 60 * 1000;
const clock = () => NOW;
const BADGE_POINTS = 25;
const BOSS = { userId: null };
let serial = 0;

/** The badges pushed live (only ever after their write committed). */
const pushed = badgesPushedLive();

/** A SQLite store's connection (the synchronous engine's). */
function sqliteOf(store: Store) {
	if (store.dialect !== 'sqlite') throw new Error('not a SQLite store');
	return store.sqlite;
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i];

	/** A live season of two (Alpha: ann; Beta: bob) with calls (2 points each) and one badge. */
	async function seasonWithBadge(criterion: BadgeCriterion) {
		const made = await liveSeasonOn(node(0), {
			size: 2,
			teams: ['Alpha', 'Beta'],
			endsAt: NOW * 2
		});
		await createActivityType(
			node(0),
			made.seasonId,
			{ key: 'call', name: 'Call', points: 2, emoji: '📞' },
			{},
			clock
		);
		const { badge } = node(0).tables;
		const [b] = await node(0)
			.db.insert(badge)
			.values({
				seasonId: made.seasonId,
				name: 'Caller',
				emoji: '📞',
				description: 'Made the calls',
				criterion,
				points: BADGE_POINTS
			})
			.returning();
		const [ann, bob] = made.people;
		return { ...made, ann, bob, badge: b };
	}

	const call = (seasonId: number, userId: number, quantity: number, hoursAgo: number) =>
		({
			source: 'api',
			externalId: `call-${dialect}-${++serial}`,
			person: { userId },
			type: 'call',
			quantity,
			occurredAt: NOW - hoursAgo * HOUR,
			seasonId
		}) satisfies LogActivityInput;

	async function awardsOf(store: Store, seasonId: number) {
		const { award } = store.tables;
		return store.db
			.select({
				badgeId: award.badgeId,
				subjectId: award.subjectId,
				earnedAt: award.earnedAt,
				status: award.status
			})
			.from(award)
			.where(eq(award.seasonId, seasonId))
			.orderBy(award.id);
	}

	async function badgeEntriesOf(store: Store, seasonId: number) {
		const { ledgerEntry } = store.tables;
		return store.db
			.select({
				userId: ledgerEntry.userId,
				teamId: ledgerEntry.teamId,
				points: ledgerEntry.points
			})
			.from(ledgerEntry)
			.where(and(eq(ledgerEntry.seasonId, seasonId), eq(ledgerEntry.kind, 'badge')))
			.orderBy(ledgerEntry.id);
	}

	it('gives "activities logged" in the logging write, with its points, and withdraws it in the void', async () => {
		const s = await seasonWithBadge({ kind: 'activities_logged', count: 4, type: 'call' });
		const { webhook, webhookDelivery } = node(0).tables;
		const [hook] = await node(0)
			.db.insert(webhook)
			.values({
				url: 'https://example.test/hook',
				secret: 'whsec_dGVzdA==',
				events: ['badge.awarded']
			})
			.returning();
		pushed.length = 0;
		await logActivity(node(0), call(s.seasonId, s.ann.id, 2, 5), clock);
		expect(await awardsOf(node(1), s.seasonId)).toEqual([]);
		const reaching = await logActivity(node(1), call(s.seasonId, s.ann.id, 2, 4), clock);
		await logActivity(node(0), call(s.seasonId, s.ann.id, 2, 3), clock);
		expect(await awardsOf(node(1), s.seasonId)).toEqual([
			{ badgeId: s.badge.id, subjectId: s.ann.id, earnedAt: NOW - 4 * HOUR, status: 'confirmed' }
		]);
		expect(await badgeEntriesOf(node(1), s.seasonId)).toEqual([
			{ userId: s.ann.id, teamId: s.teamIds[0], points: BADGE_POINTS }
		]);
		// 3 calls of 2 × 2 points, and the badge's.
		expect(await pointsOf(node(1), s.seasonId, 'user', s.ann.id)).toMatchObject({
			confirmed: 12 + BADGE_POINTS
		});
		expect(await pointsOf(node(1), s.seasonId, 'team', s.teamIds[0])).toMatchObject({
			confirmed: 12 + BADGE_POINTS
		});
		// The award the synchronous re-evaluation computes for the same activities.
		if (dialect === 'sqlite')
			expect(
				countedEarned(sqliteOf(node(0)), s.seasonId, s.ann.id, s.badge.criterion as never)
			).toEqual([{ periodKey: '', at: NOW - 4 * HOUR }]);
		expect(pushed.map((e) => [e.subjectId, e.badge.id])).toEqual([[s.ann.id, s.badge.id]]);
		const deliveries = await node(1)
			.db.select({ event: webhookDelivery.event })
			.from(webhookDelivery)
			.where(eq(webhookDelivery.webhookId, hook.id));
		expect(deliveries).toEqual([{ event: 'badge.awarded' }]);
		await node(0).db.update(webhook).set({ active: false }).where(eq(webhook.id, hook.id));

		// Voiding the activity that reached 4 leaves 4 calls at a later instant: the badge stays.
		const voided = await voidActivity(
			node(1),
			reaching.activity.id,
			{
				actor: BOSS,
				reason: 'logged twice'
			},
			clock
		);
		expect(voided.changed).toBe(true);
		expect(await awardsOf(node(0), s.seasonId)).toHaveLength(1);
		expect((await awardsOf(node(0), s.seasonId))[0].status).toBe('confirmed');
		// The next void leaves 2 calls: the badge is withdrawn and its points taken back.
		const [first] = await node(0)
			.db.select({ id: node(0).tables.activity.id })
			.from(node(0).tables.activity)
			.where(eq(node(0).tables.activity.seasonId, s.seasonId))
			.orderBy(node(0).tables.activity.id)
			.limit(1);
		await voidActivity(node(0), first.id, { actor: BOSS, reason: 'test' }, clock);
		expect((await awardsOf(node(1), s.seasonId))[0].status).toBe('void');
		expect(await badgeEntriesOf(node(1), s.seasonId)).toEqual([
			{ userId: s.ann.id, teamId: s.teamIds[0], points: BADGE_POINTS },
			{ userId: s.ann.id, teamId: s.teamIds[0], points: -BADGE_POINTS }
		]);
		expect(await pointsOf(node(1), s.seasonId, 'user', s.ann.id)).toMatchObject({ confirmed: 4 });
	});

	it('gives the badge once when two nodes log the count-th activity at once', async () => {
		const s = await seasonWithBadge({ kind: 'activities_logged', count: 3 });
		await logActivity(node(0), call(s.seasonId, s.bob.id, 2, 6), clock);
		await Promise.all([
			logActivity(node(0), call(s.seasonId, s.bob.id, 1, 5), clock),
			logActivity(node(1), call(s.seasonId, s.bob.id, 1, 4), clock)
		]);
		const given = await awardsOf(node(0), s.seasonId);
		expect(given).toHaveLength(1);
		expect(given[0].subjectId).toBe(s.bob.id);
		// At the activity of the write that committed first: the badge is decided when the count is
		// reached, and the other write finds it held.
		expect([NOW - 5 * HOUR, NOW - 4 * HOUR]).toContain(given[0].earnedAt);
		expect(await badgeEntriesOf(node(0), s.seasonId)).toEqual([
			{ userId: s.bob.id, teamId: s.teamIds[1], points: BADGE_POINTS }
		]);
		expect(await pointsOf(node(0), s.seasonId, 'user', s.bob.id)).toMatchObject({
			confirmed: 8 + BADGE_POINTS
		});
	});

	it('gives "quizzes passed" after a pass, once however often the person passes', async () => {
		const s = await seasonWithBadge({ kind: 'quizzes_passed', count: 1 });
		const quiz = await createQuiz(
			node(0),
			s.seasonId,
			{
				title: `Quiz ${dialect}`,
				intro: null,
				pointsPerCorrect: 10,
				passPercent: 50,
				opensAt: NOW - HOUR,
				closesAt: NOW + HOUR,
				questions: [
					{
						kind: 'single',
						prompt: 'Which case is rugged?',
						pictureUrl: null,
						explanation: null,
						options: [
							{ label: 'Slim', correct: false },
							{ label: 'Rugged', correct: true }
						]
					}
				]
			},
			BOSS,
			() => NOW - 2 * HOUR
		);
		await publishQuiz(node(0), s.seasonId, quiz.id, BOSS, () => NOW - 2 * HOUR);
		const [q] = await questionsOf(node(0), quiz.id);
		const right = { [q.id]: [q.options[1].id] };
		await takeQuiz(
			node(1),
			{ quizId: quiz.id, userId: s.ann.id, answers: right, requestId: `take-${++serial}` },
			clock
		);
		await takeQuiz(
			node(0),
			{ quizId: quiz.id, userId: s.ann.id, answers: right, requestId: `take-${++serial}` },
			clock
		);
		expect(await awardsOf(node(0), s.seasonId)).toEqual([
			{ badgeId: s.badge.id, subjectId: s.ann.id, earnedAt: NOW, status: 'confirmed' }
		]);
		expect(await pointsOf(node(0), s.seasonId, 'user', s.ann.id)).toMatchObject({
			confirmed: 10 + BADGE_POINTS
		});
	});

	it('a counted badge created later goes to those who already earn it, once', async () => {
		const s = await seasonWithBadge({ kind: 'activities_logged', count: 100 });
		await logActivity(node(0), call(s.seasonId, s.ann.id, 2, 6), clock);
		await logActivity(node(1), call(s.seasonId, s.ann.id, 1, 5), clock);
		await logActivity(node(0), call(s.seasonId, s.bob.id, 1, 4), clock);
		const draft = {
			name: 'Three calls',
			emoji: '📞',
			description: '',
			points: BADGE_POINTS,
			criterion: { kind: 'activities_logged', count: 3 } as BadgeCriterion,
			active: true
		};
		const saved = await createBadge(node(1), s.seasonId, draft, BOSS, clock);
		expect(saved.awarded).toBe(1);
		const given = (await awardsOf(node(0), s.seasonId)).filter((a) => a.badgeId === saved.badge.id);
		expect(given).toEqual([
			{
				badgeId: saved.badge.id,
				subjectId: s.ann.id,
				earnedAt: NOW - 5 * HOUR,
				status: 'confirmed'
			}
		]);
		expect(await pointsOf(node(0), s.seasonId, 'user', s.ann.id)).toMatchObject({
			confirmed: 6 + BADGE_POINTS
		});
	});

	it('queues the badge’s web push in the write', async () => {
		const s = await seasonWithBadge({ kind: 'activities_logged', count: 1 });
		const { pushSubscription, outgoingMessage } = node(0).tables;
		await node(0)
			.db.insert(pushSubscription)
			.values({
				userId: s.ann.id,
				endpoint: `https://push.example.test/${++serial}`,
				p256dh: 'key',
				auth: 'auth',
				userAgent: 'Android · Chrome'
			});
		const stop = startPushNotices(node(0));
		try {
			await logActivity(node(0), call(s.seasonId, s.ann.id, 1, 1), clock);
		} finally {
			stop();
		}
		const queued = await node(1)
			.db.select({ kind: outgoingMessage.kind, channel: outgoingMessage.channel })
			.from(outgoingMessage)
			.where(eq(outgoingMessage.userId, s.ann.id));
		expect(queued).toEqual([{ kind: 'badge', channel: 'push' }]);
	});
});
