import { and, desc, eq } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import { quiz, quizAttempt, season, user, type QuizAnswers } from '../db/schema';
import { checkAnswers, quizStatus, scoreAttempt, type QuestionKey } from '../../contest/quiz';
import { appendEntry } from '../scoring/ledger';
import { bumpVersion } from '../scoring/standings';
import { getMembership } from '../seasons/queries';
import { notifyLeaderboard, publishActivity } from '../realtime/publish';
import type { ActivityItem } from '../../realtime/events';
import { systemClock, type Clock } from '../shared/clock';
import { AppError, badRequest, conflict, notFound } from '../shared/errors';
import { m } from '../../paraglide/messages.js';
import { questionsInTransaction } from './commands';
import type { Store, Tables } from '../db/store';
import { awardCounted } from '../badges/counted';
import { publishAwardChanges, type AwardChanges } from '../badges/awards';

// Taking a quiz. The first attempt earns (correct × points per correct answer), confirmed at
// once, on the ledger for the person's current team, in the attempt's own transaction; retries
// are for learning and earn nothing. The form's requestId makes a resend the same attempt, and
// the unique index on earning attempts keeps "points once" whatever races. Taking a quiz stays a
// synchronous transaction: its points go through the ledger (scoring/) and the badges, which are
// not on the store yet; what the pages read of the attempts is (`attemptsOf`).

export type AttemptRow = typeof quizAttempt.$inferSelect;

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

function byRequest(tx: Queryable, requestId: string) {
	return tx.select().from(quizAttempt).where(eq(quizAttempt.requestId, requestId)).get();
}

/** Whether an error is the earning attempt's unique index refusing a second one. */
const isEarningClash = (error: unknown) =>
	error instanceof Error && /UNIQUE constraint failed: quiz_attempt\.quiz_id/.test(error.message);

export function takeQuiz(db: Db, input: TakeInput, clock: Clock = systemClock): Taken {
	const now = clock();
	let activity: ActivityItem | null = null;
	let badges: AwardChanges | null = null;
	const run = () =>
		db.transaction(
			(tx): Taken => {
				const again = byRequest(tx, input.requestId);
				if (again) {
					if (again.userId !== input.userId || again.quizId !== input.quizId)
						throw conflict('request_reused', m.quiz_error_request_reused());
					return { attempt: again, fresh: false };
				}
				const row = tx.select().from(quiz).where(eq(quiz.id, input.quizId)).get();
				if (!row || row.publishedAt == null) throw notFound('quiz_not_found', m.quiz_not_found());
				const s = tx.select().from(season).where(eq(season.id, row.seasonId)).get()!;
				const member = getMembership(tx, row.seasonId, input.userId);
				if (!member) throw new AppError(403, 'not_a_member', m.quiz_error_not_member());
				const status = quizStatus(row, now, s.endsAt);
				if (status === 'scheduled') throw conflict('quiz_not_open', m.quiz_error_not_open_yet());
				if (status !== 'open' || s.status !== 'live')
					throw conflict('quiz_closed', m.quiz_error_closed());
				const questions: QuestionKey[] = questionsInTransaction(tx, row.id);
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
				const earned = tx
					.select({ id: quizAttempt.id })
					.from(quizAttempt)
					.where(
						and(
							eq(quizAttempt.quizId, row.id),
							eq(quizAttempt.userId, input.userId),
							eq(quizAttempt.earning, true)
						)
					)
					.get();
				const earning = !earned;
				const score = scoreAttempt(questions, answers, row, earning);
				const attempt = tx
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
					.returning()
					.get();
				if (!earning) return { attempt, fresh: true };
				let saved = attempt;
				if (score.points > 0) {
					const entryId = appendEntry(
						tx,
						{
							seasonId: row.seasonId,
							userId: input.userId,
							teamId: member.teamId,
							kind: 'quiz',
							points: score.points,
							status: 'confirmed',
							reason: row.title
						},
						now
					);
					saved = tx
						.update(quizAttempt)
						.set({ ledgerEntryId: entryId })
						.where(eq(quizAttempt.id, attempt.id))
						.returning()
						.get();
					const name = tx
						.select({ name: user.displayName })
						.from(user)
						.where(eq(user.id, input.userId))
						.get()!.name;
					activity = quizActivity({
						attemptId: attempt.id,
						seasonId: row.seasonId,
						userId: input.userId,
						userName: name,
						teamName: member.teamName,
						quiz: { id: row.id, title: row.title },
						points: score.points,
						at: now
					});
				}
				if (score.passed)
					badges = awardCounted(tx, 'quizzes_passed', row.seasonId, input.userId, now);
				bumpVersion(tx, row.seasonId);
				return { attempt: saved, fresh: true };
			},
			{ behavior: 'immediate' }
		);
	let taken: Taken;
	try {
		taken = run();
	} catch (error) {
		// Another process wrote the earning attempt between our read and our write: try once
		// more, now as a retry (or as the same request, if it was ours).
		if (!isEarningClash(error)) throw error;
		taken = run();
	}
	if (taken.fresh && taken.attempt.earning) {
		const seasonId = quizSeason(db, taken.attempt.quizId);
		notifyLeaderboard(seasonId);
		if (activity) publishActivity(activity);
		if (badges) publishAwardChanges(seasonId, badges);
	}
	return taken;
}

const quizSeason = (db: Queryable, quizId: number) =>
	db.select({ seasonId: quiz.seasonId }).from(quiz).where(eq(quiz.id, quizId)).get()!.seasonId;

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
