// Taking and announcing a quiz on the store (#20, quizzes/attempts.ts `takeQuiz`, announce.ts
// `announceOpenedQuizzes`): the attempt, its ledger entry, the standings and the season's
// version in one write; the announcement claimed in its write with the pushes it queues. The
// same assertions on a temp SQLite file and a throwaway PostgreSQL, two nodes each
// (tests/helpers/store-nodes.ts): what one node wrote the other reads, the same or a second
// first attempt sent to both at once earns once, a quiz announced on both at once is announced
// once, and bad input changes nothing. The "quizzes passed" badges, given after the commit in a write of
// their own, are tests/integration/counted-badges-store.test.ts's.
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import type { QuizDraft } from '../../src/lib/server/quizzes/quiz-form';
import { createQuiz, publishQuiz, questionsOf } from '../../src/lib/server/quizzes/commands';
import { attemptsOf, takeQuiz } from '../../src/lib/server/quizzes/attempts';
import { announceOpenedQuizzes } from '../../src/lib/server/quizzes/announce';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { appErrorCode, liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('quizzes-take-store');
const NOW = 1_800_000_000_000;
const HOUR = 60 * 60 * 1000;
const BOSS = { userId: null };

let serial = 0;
const requestId = () => `take-${++serial}`;

const draft = (title: string, opensAt = NOW - HOUR): QuizDraft => ({
	title,
	intro: null,
	pointsPerCorrect: 10,
	passPercent: 50,
	opensAt,
	closesAt: NOW + 24 * HOUR,
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
		},
		{
			kind: 'multiple',
			prompt: 'Which are accessories?',
			pictureUrl: null,
			explanation: null,
			options: [
				{ label: 'Case', correct: true },
				{ label: 'Phone', correct: false },
				{ label: 'Charger', correct: true }
			]
		}
	]
});

type Season = Awaited<ReturnType<typeof liveSeasonOn>>;

/** A live season of three in two teams, and a published quiz of two questions, open now. */
async function quizOn(store: Store, title: string) {
	const s = await liveSeasonOn(store, { size: 3, teams: ['Alpha', 'Beta'], endsAt: NOW * 2 });
	const made = await createQuiz(store, s.seasonId, draft(title), BOSS, () => NOW - 2 * HOUR);
	await publishQuiz(store, s.seasonId, made.id, BOSS, () => NOW - 2 * HOUR);
	const [q1, q2] = await questionsOf(store, made.id);
	const right = { [q1.id]: [q1.options[1].id], [q2.id]: [q2.options[0].id, q2.options[2].id] };
	const half = { [q1.id]: [q1.options[1].id], [q2.id]: [q2.options[1].id] };
	return { s, quizId: made.id, right, half };
}

/** A person's quiz entries, their standing and team's, and the season's version. */
async function pointsOf(store: Store, s: Season, person = 0) {
	const { ledgerEntry, standing, season } = store.tables;
	const userId = s.people[person].id;
	const entries = await store.db
		.select({ points: ledgerEntry.points, status: ledgerEntry.status, teamId: ledgerEntry.teamId })
		.from(ledgerEntry)
		.where(
			and(
				eq(ledgerEntry.seasonId, s.seasonId),
				eq(ledgerEntry.userId, userId),
				eq(ledgerEntry.kind, 'quiz')
			)
		);
	const standingOf = async (type: 'user' | 'team', id: number) => {
		const [row] = await store.db
			.select({ points: standing.confirmedPoints })
			.from(standing)
			.where(
				and(
					eq(standing.seasonId, s.seasonId),
					eq(standing.subjectType, type),
					eq(standing.subjectId, id)
				)
			);
		return row?.points ?? 0;
	};
	const [{ version }] = await store.db
		.select({ version: season.version })
		.from(season)
		.where(eq(season.id, s.seasonId));
	return {
		entries,
		person: await standingOf('user', userId),
		team: await standingOf('team', s.teamIds[person % s.teamIds.length]),
		version
	};
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i % 2];

	it('a first attempt on one node earns once; the other node reads it, a resend and a retry earn nothing', async () => {
		const { s, quizId, right } = await quizOn(node(0), 'Earns once');
		const before = await pointsOf(node(1), s);
		const id = requestId();
		const first = await takeQuiz(
			node(0),
			{ quizId, userId: s.people[0].id, answers: right, requestId: id },
			() => NOW
		);
		expect(first).toMatchObject({
			fresh: true,
			attempt: { earning: true, points: 20, correctCount: 2, questionCount: 2, passed: true }
		});
		expect(first.attempt.ledgerEntryId).not.toBeNull();
		const after = await pointsOf(node(1), s);
		expect(after).toMatchObject({
			entries: [{ points: 20, status: 'confirmed', teamId: s.teamIds[0] }],
			person: 20,
			team: 20
		});
		expect(after.version).toBeGreaterThan(before.version);
		expect((await attemptsOf(node(1), quizId, s.people[0].id)).map((a) => a.id)).toEqual([
			first.attempt.id
		]);

		// The same form sent again to the other node answers the first attempt.
		const resent = await takeQuiz(
			node(1),
			{ quizId, userId: s.people[0].id, answers: {}, requestId: id },
			() => NOW + 1
		);
		expect(resent).toEqual({ fresh: false, attempt: first.attempt });
		const retry = await takeQuiz(
			node(1),
			{ quizId, userId: s.people[0].id, answers: right, requestId: requestId() },
			() => NOW + 2
		);
		expect(retry).toMatchObject({ fresh: true, attempt: { earning: false, points: 0 } });
		expect(await pointsOf(node(0), s)).toMatchObject({ entries: after.entries, person: 20 });
	});

	it('the same first attempt sent to both nodes at once is one attempt, its points once', async () => {
		const { s, quizId, right } = await quizOn(node(0), 'Same form twice');
		const before = await pointsOf(node(0), s);
		const input = { quizId, userId: s.people[1].id, answers: right, requestId: requestId() };
		const [a, b] = await Promise.all([
			takeQuiz(node(0), input, () => NOW),
			takeQuiz(node(1), input, () => NOW)
		]);
		expect(a.attempt.id).toBe(b.attempt.id);
		expect([a.fresh, b.fresh].sort()).toEqual([false, true]);
		expect(await attemptsOf(node(1), quizId, s.people[1].id)).toHaveLength(1);
		const after = await pointsOf(node(1), s, 1);
		expect(after).toMatchObject({ entries: [{ points: 20 }], person: 20, team: 20 });
		expect(after.version).toBeGreaterThan(before.version);
	});

	it('two first attempts of one person on both nodes at once earn once, the other is a retry', async () => {
		const { s, quizId, right, half } = await quizOn(node(0), 'Two tabs');
		const before = await pointsOf(node(0), s, 2);
		const userId = s.people[2].id;
		const [a, b] = await Promise.all([
			takeQuiz(node(0), { quizId, userId, answers: right, requestId: requestId() }, () => NOW),
			takeQuiz(node(1), { quizId, userId, answers: half, requestId: requestId() }, () => NOW)
		]);
		expect([a.fresh, b.fresh]).toEqual([true, true]);
		expect([a.attempt.earning, b.attempt.earning].sort()).toEqual([false, true]);
		const earning = a.attempt.earning ? a.attempt : b.attempt;
		const after = await pointsOf(node(1), s, 2);
		expect(after.entries).toEqual([
			{ points: earning.points, status: 'confirmed', teamId: s.teamIds[0] }
		]);
		expect(after.person).toBe(earning.points);
		expect(after.version).toBeGreaterThan(before.version);
		expect(await attemptsOf(node(0), quizId, userId)).toHaveLength(2);
	});

	it('refuses bad input on either node and changes nothing', async () => {
		const { s, quizId, right, half } = await quizOn(node(0), 'Refusals');
		const outsider = await liveSeasonOn(node(0), { size: 1, teams: ['Other'], endsAt: NOW * 2 });
		const draftOnly = await createQuiz(node(0), s.seasonId, draft('Unpublished'), BOSS);
		const mine = requestId();
		await takeQuiz(
			node(0),
			{ quizId, userId: s.people[0].id, answers: half, requestId: mine },
			() => NOW
		);
		const before = await pointsOf(node(1), s, 1);
		const take = (input: Partial<Parameters<typeof takeQuiz>[1]>, at = NOW) =>
			appErrorCode(() =>
				takeQuiz(
					node(1),
					{ quizId, userId: s.people[1].id, answers: right, requestId: requestId(), ...input },
					() => at
				)
			);
		expect(await take({ answers: {} })).toBe('answers_invalid');
		expect(await take({ quizId: draftOnly.id })).toBe('quiz_not_found');
		expect(await take({ quizId: 999_999 })).toBe('quiz_not_found');
		expect(await take({ userId: outsider.people[0].id })).toBe('not_a_member');
		expect(await take({}, NOW + 48 * HOUR)).toBe('quiz_closed');
		expect(await take({}, NOW - 2 * HOUR)).toBe('quiz_not_open');
		// Another person's request id is refused, not answered with their attempt.
		expect(await take({ requestId: mine })).toBe('request_reused');
		expect(await attemptsOf(node(0), quizId, s.people[1].id)).toEqual([]);
		expect(await attemptsOf(node(0), draftOnly.id, s.people[1].id)).toEqual([]);
		expect(await pointsOf(node(0), s, 1)).toEqual(before);
	});

	it('a quiz announced on both nodes at once is announced once, one push per device', async () => {
		const s = await liveSeasonOn(node(0), { size: 3, teams: ['Alpha'], endsAt: NOW * 2 });
		const { quiz, pushSubscription, notificationOptOut, outgoingMessage, user } = node(0).tables;
		const later = await createQuiz(
			node(0),
			s.seasonId,
			draft('Opens later', NOW + HOUR),
			BOSS,
			() => NOW
		);
		await publishQuiz(node(0), s.seasonId, later.id, BOSS, () => NOW);
		// Two devices for the first person, one for the second (who speaks Polish), one for the
		// third, who switched quiz pushes off.
		await node(0)
			.db.insert(pushSubscription)
			.values(
				[0, 0, 1, 2].map((p, i) => ({
					userId: s.people[p].id,
					endpoint: `https://push.example/${dialect}/${s.seasonId}/${i}`,
					p256dh: 'k',
					auth: 'a',
					userAgent: 'Mozilla/5.0 (iPhone)'
				}))
			);
		await node(0).db.update(user).set({ locale: 'pl' }).where(eq(user.id, s.people[1].id));
		await node(0)
			.db.insert(notificationOptOut)
			.values({ userId: s.people[2].id, channel: 'push', kind: 'quiz_open' });

		// Not open yet: not announced (the earlier tests' open quizzes are, now).
		await announceOpenedQuizzes(node(1), () => NOW);
		const [waiting] = await node(0).db.select().from(quiz).where(eq(quiz.id, later.id));
		expect(waiting.announcedAt).toBeNull();
		expect(await announceOpenedQuizzes(node(0), () => NOW + HOUR / 2)).toBe(0);
		const counts = await Promise.all([
			announceOpenedQuizzes(node(0), () => NOW + 2 * HOUR),
			announceOpenedQuizzes(node(1), () => NOW + 2 * HOUR)
		]);
		expect(counts.sort()).toEqual([0, 1]);
		expect(await announceOpenedQuizzes(node(1), () => NOW + 3 * HOUR)).toBe(0);
		const [row] = await node(1).db.select().from(quiz).where(eq(quiz.id, later.id));
		expect(row.announcedAt).toBe(NOW + 2 * HOUR);
		const all = await node(1)
			.db.select({ userId: outgoingMessage.userId, subject: outgoingMessage.subject })
			.from(outgoingMessage)
			.where(and(eq(outgoingMessage.kind, 'quiz_open'), eq(outgoingMessage.channel, 'push')));
		const ours = all.filter((p) => s.people.some((person) => person.id === p.userId));
		expect(ours.map((p) => p.userId).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([
			s.people[0].id,
			s.people[0].id,
			s.people[1].id
		]);
		const english = ours.find((p) => p.userId === s.people[0].id)!.subject;
		const polish = ours.find((p) => p.userId === s.people[1].id)!.subject;
		expect(english).toBe('New quiz: Opens later');
		expect(polish).not.toBe(english);
		expect(polish).toContain('Opens later');
	});
});
