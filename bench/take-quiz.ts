// What taking a quiz costs on SQLite (#20: quizzes/attempts.ts ported onto the store). The
// awaited `takeQuiz(store, …)` (one `write` with the attempt, its ledger entry, the standings and
// the version; the "quizzes passed" badges after the commit on SQLite's connection) against the
// synchronous body it replaced (base aa6e1cb: one `db.transaction(…, { behavior: 'immediate' })`
// with the same reads, `appendEntry`, `awardCounted` and `bumpVersion`), on one file of 500
// members and 60 open quizzes of 5 questions, with a "quizzes passed" badge: every operation is a
// person's first, earning, passing attempt at a quiz, each (quiz, person) used once. Variants
// interleaved, rounds × iterations; prints the median µs and CPU µs per attempt.
// Run with `npx tsx bench/take-quiz.ts [--rounds 7] [--n 1000]`.
import { and, asc, eq, inArray } from 'drizzle-orm';
import {
	badge,
	quiz,
	quizAttempt,
	quizOption,
	quizQuestion,
	season,
	user,
	type QuizAnswers
} from '../src/lib/server/db/schema';
import { createQuiz, publishQuiz, questionsOf } from '../src/lib/server/quizzes/commands';
import { quizActivity, takeQuiz } from '../src/lib/server/quizzes/attempts';
import { checkAnswers, quizStatus, scoreAttempt } from '../src/lib/contest/quiz';
import { appendEntry } from '../src/lib/server/scoring/ledger';
import { bumpVersion } from '../src/lib/server/scoring/standings';
import { getMembership } from '../src/lib/server/seasons/queries';
import { awardCounted } from './lib/before-port';
import { publishAwardChanges, type AwardChanges } from '../src/lib/server/badges/awards';
import { notifyLeaderboard, publishActivity } from '../src/lib/server/realtime/publish';
import type { ActivityItem } from '../src/lib/realtime/events';
import { option } from './lib/args';
import { benchContest } from './lib/contest-file';
import { timeInterleaved, type Variant } from './lib/interleaved';

const ROUNDS = option('rounds', 7);
const N = option('n', 1_000);
const PEOPLE = 500;
const QUIZZES = 60;
if (2 * ROUNDS * N > PEOPLE * QUIZZES) throw new Error('too few (quiz, person) pairs');

const contest = benchContest('take-quiz', { people: PEOPLE });
const { db, store } = contest;
const now = Date.now();
const seasonId = contest.seasons[0].id;
const people = contest.people.map((p) => p.id);
db.insert(badge)
	.values({ seasonId, name: 'Whiz', criterion: { kind: 'quizzes_passed', count: 1 } })
	.run();
const quizzes: { id: number; answers: QuizAnswers }[] = [];
for (let q = 0; q < QUIZZES; q++) {
	const made = await createQuiz(
		store,
		seasonId,
		{
			title: `Quiz ${q}`,
			intro: null,
			pointsPerCorrect: 10,
			passPercent: 50,
			opensAt: now - 60_000,
			closesAt: null,
			questions: Array.from({ length: 5 }, (_, i) => ({
				kind: 'single' as const,
				prompt: `Question ${i}`,
				pictureUrl: null,
				explanation: null,
				options: [
					{ label: 'No', correct: false },
					{ label: 'Yes', correct: true },
					{ label: 'Maybe', correct: false }
				]
			}))
		},
		{ userId: null }
	);
	await publishQuiz(store, seasonId, made.id, { userId: null });
	const questions = await questionsOf(store, made.id);
	quizzes.push({
		id: made.id,
		answers: Object.fromEntries(questions.map((x) => [String(x.id), [x.options[1].id]]))
	});
}
let pair = 0;
const input = () => {
	const n = pair++;
	const q = quizzes[n % QUIZZES];
	return {
		quizId: q.id,
		userId: people[Math.floor(n / QUIZZES)],
		answers: q.answers,
		requestId: `bench-${n}`
	};
};

/** The body takeQuiz had before the port (a new request id, a first attempt). */
function takeBefore(form: ReturnType<typeof input>): number {
	const at = Date.now();
	let activity: ActivityItem | null = null;
	let badges: AwardChanges | null = null;
	const id = db.transaction(
		(tx) => {
			const again = tx
				.select()
				.from(quizAttempt)
				.where(eq(quizAttempt.requestId, form.requestId))
				.get();
			if (again) return again.id;
			const row = tx.select().from(quiz).where(eq(quiz.id, form.quizId)).get()!;
			const s = tx.select().from(season).where(eq(season.id, row.seasonId)).get()!;
			const member = getMembership(tx, row.seasonId, form.userId)!;
			if (quizStatus(row, at, s.endsAt) !== 'open') throw new Error('closed');
			const questions = tx
				.select()
				.from(quizQuestion)
				.where(eq(quizQuestion.quizId, row.id))
				.orderBy(asc(quizQuestion.position))
				.all();
			const options = tx
				.select()
				.from(quizOption)
				.where(
					inArray(
						quizOption.questionId,
						questions.map((q) => q.id)
					)
				)
				.orderBy(asc(quizOption.position))
				.all();
			const keys = questions.map((q) => ({
				...q,
				options: options.filter((o) => o.questionId === q.id)
			}));
			if (checkAnswers(keys, form.answers).length > 0) throw new Error('answers');
			const answers: QuizAnswers = Object.fromEntries(
				keys.map((q) => [String(q.id), [...new Set(form.answers[String(q.id)])]])
			);
			const earned = tx
				.select({ id: quizAttempt.id })
				.from(quizAttempt)
				.where(
					and(
						eq(quizAttempt.quizId, row.id),
						eq(quizAttempt.userId, form.userId),
						eq(quizAttempt.earning, true)
					)
				)
				.get();
			const earning = !earned;
			const score = scoreAttempt(keys, answers, row, earning);
			const attempt = tx
				.insert(quizAttempt)
				.values({
					quizId: row.id,
					userId: form.userId,
					answers,
					correctCount: score.correctCount,
					questionCount: score.questionCount,
					passed: score.passed,
					earning,
					points: score.points,
					requestId: form.requestId,
					createdAt: at
				})
				.returning()
				.get();
			const entryId = appendEntry(
				tx,
				{
					seasonId: row.seasonId,
					userId: form.userId,
					teamId: member.teamId,
					kind: 'quiz',
					points: score.points,
					status: 'confirmed',
					reason: row.title
				},
				at
			);
			tx.update(quizAttempt)
				.set({ ledgerEntryId: entryId })
				.where(eq(quizAttempt.id, attempt.id))
				.returning()
				.get();
			const name = tx
				.select({ name: user.displayName })
				.from(user)
				.where(eq(user.id, form.userId))
				.get()!.name;
			activity = quizActivity({
				attemptId: attempt.id,
				seasonId: row.seasonId,
				userId: form.userId,
				userName: name,
				teamName: member.teamName,
				quiz: { id: row.id, title: row.title },
				points: score.points,
				at
			});
			if (score.passed) badges = awardCounted(tx, 'quizzes_passed', row.seasonId, form.userId, at);
			bumpVersion(tx, row.seasonId);
			return attempt.id;
		},
		{ behavior: 'immediate' }
	);
	const seasonOf = db
		.select({ seasonId: quiz.seasonId })
		.from(quiz)
		.where(eq(quiz.id, form.quizId))
		.get()!.seasonId;
	notifyLeaderboard(seasonOf);
	if (activity) publishActivity(activity);
	if (badges) publishAwardChanges(seasonOf, badges);
	return id;
}

const variants: Variant[] = [
	{
		name: 'take a quiz, before (synchronous)',
		ops: N,
		run: () => {
			for (let i = 0; i < N; i++) takeBefore(input());
		}
	},
	{
		name: 'take a quiz, store (awaited)',
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++) await takeQuiz(store, input());
		}
	}
];

console.log(`${ROUNDS - 1} counted rounds; ${N} first attempts per round`);
await timeInterleaved(variants, ROUNDS);
const earning = db.select({ id: quizAttempt.id }).from(quizAttempt).all().length;
if (earning !== 2 * ROUNDS * N) throw new Error(`expected ${2 * ROUNDS * N} attempts, ${earning}`);
contest.remove();
