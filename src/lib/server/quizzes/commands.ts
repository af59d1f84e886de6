import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import { quiz, quizAttempt, quizOption, quizQuestion } from '../db/schema';
import type { QuestionDraft } from '../../contest/quiz';
import { parseQuizCsv } from '../../contest/quiz-csv';
import { audit, type Actor } from '../audit/record';
import { systemClock, type Clock } from '../shared/clock';
import { badRequest, conflict, notFound } from '../shared/errors';
import { m } from '../../paraglide/messages.js';
import type { QuizDraft } from './quiz-form';

// A manager's quiz commands: create, edit, publish, import from CSV. One transaction each,
// audited. Questions cannot change once someone has taken the quiz: the results and the points
// already given would no longer match the questions shown.

export type QuizRow = typeof quiz.$inferSelect;

export function getQuiz(db: Queryable, seasonId: number, quizId: number): QuizRow {
	const row = db
		.select()
		.from(quiz)
		.where(and(eq(quiz.id, quizId), eq(quiz.seasonId, seasonId)))
		.get();
	if (!row) throw notFound('quiz_not_found', m.quiz_not_found());
	return row;
}

/** A quiz's questions with their options, in order. */
export function questionsOf(db: Queryable, quizId: number) {
	const questions = db
		.select()
		.from(quizQuestion)
		.where(eq(quizQuestion.quizId, quizId))
		.orderBy(asc(quizQuestion.position))
		.all();
	if (questions.length === 0) return [];
	const options = db
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
	return questions.map((q) => ({ ...q, options: options.filter((o) => o.questionId === q.id) }));
}

export function asDrafts(questions: ReturnType<typeof questionsOf>): QuestionDraft[] {
	return questions.map((q) => ({
		kind: q.kind,
		prompt: q.prompt,
		pictureUrl: q.pictureUrl,
		explanation: q.explanation,
		options: q.options.map((o) => ({ label: o.label, correct: o.correct }))
	}));
}

function writeQuestions(tx: Queryable, quizId: number, questions: readonly QuestionDraft[]) {
	tx.delete(quizQuestion).where(eq(quizQuestion.quizId, quizId)).run();
	questions.forEach((q, position) => {
		const { id } = tx
			.insert(quizQuestion)
			.values({
				quizId,
				position,
				kind: q.kind,
				prompt: q.prompt,
				pictureUrl: q.pictureUrl,
				explanation: q.explanation
			})
			.returning({ id: quizQuestion.id })
			.get();
		tx.insert(quizOption)
			.values(
				q.options.map((o, i) => ({
					questionId: id,
					position: i,
					label: o.label,
					correct: o.correct
				}))
			)
			.run();
	});
}

const hasAttempts = (tx: Queryable, quizId: number) =>
	tx
		.select({ id: quizAttempt.id })
		.from(quizAttempt)
		.where(eq(quizAttempt.quizId, quizId))
		.get() !== undefined;

function own(draft: QuizDraft) {
	const { title, intro, pointsPerCorrect, passPercent, opensAt, closesAt } = draft;
	return { title, intro, pointsPerCorrect, passPercent, opensAt, closesAt };
}

/** A new draft quiz of the season. */
export function createQuiz(
	db: Db,
	seasonId: number,
	draft: QuizDraft,
	actor: Actor,
	clock: Clock = systemClock
): QuizRow {
	const now = clock();
	return db.transaction(
		(tx) => {
			const row = tx
				.insert(quiz)
				.values({
					seasonId,
					...own(draft),
					createdById: actor.userId ?? null,
					createdAt: now,
					updatedAt: now
				})
				.returning()
				.get();
			writeQuestions(tx, row.id, draft.questions);
			audit(tx, actor, 'quiz.create', `quiz:${row.id}`, { seasonId, title: row.title }, now);
			return row;
		},
		{ behavior: 'immediate' }
	);
}

/** Saves a quiz's settings and questions; questions are locked once someone has taken it. */
export function updateQuiz(
	db: Db,
	seasonId: number,
	quizId: number,
	draft: QuizDraft,
	actor: Actor,
	clock: Clock = systemClock
): QuizRow {
	const now = clock();
	return db.transaction(
		(tx) => {
			getQuiz(tx, seasonId, quizId);
			const before = asDrafts(questionsOf(tx, quizId));
			const changed = JSON.stringify(before) !== JSON.stringify(draft.questions);
			if (changed) {
				if (hasAttempts(tx, quizId))
					throw conflict('quiz_taken', m.quiz_error_questions_locked(), { field: 'questions' });
				writeQuestions(tx, quizId, draft.questions);
			}
			const row = tx
				.update(quiz)
				.set({ ...own(draft), updatedAt: now })
				.where(eq(quiz.id, quizId))
				.returning()
				.get();
			audit(
				tx,
				actor,
				'quiz.update',
				`quiz:${quizId}`,
				{ seasonId, title: row.title, questionsChanged: changed },
				now
			);
			return row;
		},
		{ behavior: 'immediate' }
	);
}

/** Publishes a draft: members see it from its opening time. Publishing twice is harmless. */
export function publishQuiz(
	db: Db,
	seasonId: number,
	quizId: number,
	actor: Actor,
	clock: Clock = systemClock
): QuizRow {
	const now = clock();
	return db.transaction(
		(tx) => {
			const row = getQuiz(tx, seasonId, quizId);
			if (row.publishedAt != null) return row;
			if (questionsOf(tx, quizId).length === 0)
				throw badRequest('quiz_empty', m.quiz_error_no_questions());
			const published = tx
				.update(quiz)
				.set({ publishedAt: now, updatedAt: now })
				.where(eq(quiz.id, quizId))
				.returning()
				.get();
			audit(tx, actor, 'quiz.publish', `quiz:${quizId}`, { seasonId, title: row.title }, now);
			return published;
		},
		{ behavior: 'immediate' }
	);
}

/**
 * A new draft quiz from a CSV file of questions (see docs/quizzes.md). A file with any bad row
 * creates nothing: the AppError's details list every problem by row and column.
 */
export function importQuiz(
	db: Db,
	seasonId: number,
	input: Omit<QuizDraft, 'questions'> & { csv: string },
	actor: Actor,
	clock: Clock = systemClock
): QuizRow {
	const { questions, errors } = parseQuizCsv(input.csv);
	if (errors.length > 0) {
		const first = errors[0];
		throw badRequest(
			'quiz_csv_invalid',
			first.row == null
				? first.message
				: m.quiz_import_refused_row({ row: first.row, message: first.message }),
			{ field: 'file', details: { errors } }
		);
	}
	return createQuiz(db, seasonId, { ...input, questions }, actor, clock);
}
