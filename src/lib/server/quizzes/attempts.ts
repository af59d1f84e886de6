import { and, desc, eq } from 'drizzle-orm';
import type { QuizAnswers } from '../db/schema';
import { write, type Store, type StoreDb, type Tables } from '../db/store';
import { checkAnswers, quizStatus, scoreAttempt, type QuestionKey } from '../../contest/quiz';
import { appendEntryInWrite } from '../scoring/ledger';
import { bumpVersionInWrite, markStandingsMoved, type StandingMove } from '../scoring/standings';
import { notifyLeaderboard, publishActivity } from '../realtime/publish';
import type { ActivityItem } from '../../realtime/events';
import { systemClock, type Clock } from '../shared/clock';
import { log } from '../shared/log';
import { AppError, badRequest, conflict, notFound } from '../shared/errors';
import { m } from '../../paraglide/messages.js';
import { questionsInWrite } from './commands';
import { awardCountedInWrite } from '../badges/counted';
import { publishAwardChanges } from '../badges/awards';

// Taking a quiz, on the store (db/store.ts). The first attempt earns (correct × points per
// correct answer), confirmed at once, on the ledger for the person's current team, in the
// attempt's own write with the standings and the season's version; retries are for learning and
// earn nothing. The form's requestId makes a resend the same attempt, and the unique index on
// earning attempts keeps "points once" whatever races, on one node or several. The "quizzes
// passed" badges are given after the commit, in a write of their own (badges/counted.ts
// `awardCountedInWrite`), on both dialects.

export type AttemptRow = Tables['quizAttempt']['$inferSelect'];

export interface TakeInput {
	quizId: number;
	userId: number;
	answers: QuizAnswers;
	requestId: string;
}

export interface Taken {
	attempt: AttemptRow;
	/** False when the requestId had already been used: the first result again. */
	fresh: boolean;
}

/** What the write decided, and what to announce once it has committed. */
interface Outcome extends Taken {
	seasonId: number;
	passed: boolean;
	activity: ActivityItem | null;
	moved: StandingMove[];
}

/** The SQLite message and PostgreSQL constraints of the attempt's unique keys. */
const ATTEMPT_KEYS = /quiz_attempt(_earning_uq|_request_id_unique|\.quiz_id|\.request_id)/;

/**
 * Whether an error is a unique key of the attempts refusing a second earning attempt or a second
 * use of one requestId: another node wrote it between our read and our insert. PostgreSQL
 * usually reports that as a serialization failure, which `write` retries itself; this is the
 * case it does not, and SQLite's when another process holds the file.
 */
function isAttemptClash(error: unknown): boolean {
	for (let e = error; e instanceof Error; e = e.cause) {
		const { code, constraint } = e as { code?: unknown; constraint?: unknown };
		if (code === '23505' && typeof constraint === 'string' && ATTEMPT_KEYS.test(constraint))
			return true;
		if (/UNIQUE constraint failed/.test(e.message) && ATTEMPT_KEYS.test(e.message)) return true;
	}
	return false;
}

async function membershipIn(tx: StoreDb, store: Store, seasonId: number, userId: number) {
	const { seasonMember, team, user } = store.tables;
	const [row] = await tx
		.select({ teamId: team.id, teamName: team.name, userName: user.displayName })
		.from(seasonMember)
		.innerJoin(team, eq(team.id, seasonMember.teamId))
		.innerJoin(user, eq(user.id, seasonMember.userId))
		.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, userId)))
		.limit(1);
	return row;
}

/** One try at the attempt, in one write. */
function attemptOnce(store: Store, input: TakeInput, now: number): Promise<Outcome> {
	const { quiz, quizAttempt, season } = store.tables;
	return write(store, async (tx): Promise<Outcome> => {
		const [again] = await tx
			.select()
			.from(quizAttempt)
			.where(eq(quizAttempt.requestId, input.requestId))
			.limit(1);
		if (again) {
			if (again.userId !== input.userId || again.quizId !== input.quizId)
				throw conflict('request_reused', m.quiz_error_request_reused());
			return {
				attempt: again,
				fresh: false,
				seasonId: 0,
				passed: false,
				activity: null,
				moved: []
			};
		}
		const [found] = await tx
			.select({ quiz, season: { endsAt: season.endsAt, status: season.status } })
			.from(quiz)
			.innerJoin(season, eq(season.id, quiz.seasonId))
			.where(eq(quiz.id, input.quizId))
			.limit(1);
		if (!found || found.quiz.publishedAt == null)
			throw notFound('quiz_not_found', m.quiz_not_found());
		const { quiz: row, season: s } = found;
		const member = await membershipIn(tx, store, row.seasonId, input.userId);
		if (!member) throw new AppError(403, 'not_a_member', m.quiz_error_not_member());
		const status = quizStatus(row, now, s.endsAt);
		if (status === 'scheduled') throw conflict('quiz_not_open', m.quiz_error_not_open_yet());
		if (status !== 'open' || s.status !== 'live')
			throw conflict('quiz_closed', m.quiz_error_closed());
		const questions: QuestionKey[] = await questionsInWrite(tx, store, row.id);
		const problems = checkAnswers(questions, input.answers);
		if (problems.length > 0) {
			const position = questions.findIndex((q) => q.id === problems[0].questionId) + 1;
			throw badRequest('answers_invalid', m.quiz_error_answer_all({ n: position }), {
				field: `q${problems[0].questionId}`,
				details: { problems }
			});
		}
		// Only the quiz's own questions are kept: anything else in the form is noise.
		const answers: QuizAnswers = Object.fromEntries(
			questions.map((q) => [String(q.id), [...new Set(input.answers[String(q.id)])]])
		);
		const [earned] = await tx
			.select({ id: quizAttempt.id })
			.from(quizAttempt)
			.where(
				and(
					eq(quizAttempt.quizId, row.id),
					eq(quizAttempt.userId, input.userId),
					eq(quizAttempt.earning, true)
				)
			)
			.limit(1);
		const earning = !earned;
		const score = scoreAttempt(questions, answers, row, earning);
		const [attempt] = await tx
			.insert(quizAttempt)
			.values({
				quizId: row.id,
				userId: input.userId,
				answers,
				correctCount: score.correctCount,
				questionCount: score.questionCount,
				passed: score.passed,
				earning,
				points: score.points,
				requestId: input.requestId,
				createdAt: now
			})
			.returning();
		const outcome: Outcome = {
			attempt,
			fresh: true,
			seasonId: row.seasonId,
			passed: earning && score.passed,
			activity: null,
			moved: []
		};
		if (!earning) return outcome;
		if (score.points > 0) {
			const entryId = await appendEntryInWrite(
				tx,
				store,
				{
					seasonId: row.seasonId,
					userId: input.userId,
					teamId: member.teamId,
					kind: 'quiz',
					points: score.points,
					status: 'confirmed',
					reason: row.title
				},
				now,
				outcome.moved
			);
			[outcome.attempt] = await tx
				.update(quizAttempt)
				.set({ ledgerEntryId: entryId })
				.where(eq(quizAttempt.id, attempt.id))
				.returning();
			outcome.activity = quizActivity({
				attemptId: attempt.id,
				seasonId: row.seasonId,
				userId: input.userId,
				userName: member.userName,
				teamName: member.teamName,
				quiz: { id: row.id, title: row.title },
				points: score.points,
				at: now
			});
		}
		await bumpVersionInWrite(tx, store, row.seasonId);
		return outcome;
	});
}

/**
 * Takes a quiz: the attempt, and on the first one its points, in one write. The same requestId
 * again, on any node, answers the first attempt; two first attempts of one person at once (two
 * tabs, two nodes) earn once, the second becoming a retry.
 */
export async function takeQuiz(
	store: Store,
	input: TakeInput,
	clock: Clock = systemClock
): Promise<Taken> {
	const now = clock();
	let outcome: Outcome;
	try {
		outcome = await attemptOnce(store, input, now);
	} catch (error) {
		// Another node or process wrote the earning attempt or this request between our read and
		// our insert: once more, now as a retry (or as the same request, if it was ours).
		if (!isAttemptClash(error)) throw error;
		outcome = await attemptOnce(store, input, now);
	}
	if (outcome.fresh && outcome.attempt.earning) {
		markStandingsMoved(outcome.moved);
		notifyLeaderboard(outcome.seasonId);
		if (outcome.activity) publishActivity(outcome.activity);
		if (outcome.passed) await awardPass(store, outcome.seasonId, input.userId, now);
	}
	return { attempt: outcome.attempt, fresh: outcome.fresh };
}

/**
 * The "quizzes passed" badges a committed pass earns, in a write of their own (on either
 * dialect). A failure is logged: the attempt and its points stand, and the badges'
 * re-evaluation gives what was missed.
 */
async function awardPass(store: Store, seasonId: number, userId: number, now: number) {
	try {
		const changes = await write(store, (tx) =>
			awardCountedInWrite(tx, store, 'quizzes_passed', seasonId, userId, now)
		);
		publishAwardChanges(seasonId, changes);
	} catch (error) {
		log.error({ err: error, seasonId, userId }, 'giving the quizzes-passed badges failed');
	}
}

export function quizActivity(a: {
	attemptId: number;
	seasonId: number;
	userId: number;
	userName: string;
	teamName: string;
	quiz: { id: number; title: string };
	points: number;
	at: number;
}): ActivityItem {
	return {
		id: `quiz:${a.attemptId}`,
		seasonId: a.seasonId,
		kind: 'quiz',
		userId: a.userId,
		userName: a.userName,
		teamName: a.teamName,
		summary: a.quiz.title,
		quiz: a.quiz,
		points: a.points,
		provisional: false,
		at: a.at
	};
}

/** A person's attempts at a quiz, newest first. */
export function attemptsOf(
	store: Store,
	quizId: number,
	userId: number
): Promise<Tables['quizAttempt']['$inferSelect'][]> {
	const { quizAttempt } = store.tables;
	return store.db
		.select()
		.from(quizAttempt)
		.where(and(eq(quizAttempt.quizId, quizId), eq(quizAttempt.userId, userId)))
		.orderBy(desc(quizAttempt.id));
}
