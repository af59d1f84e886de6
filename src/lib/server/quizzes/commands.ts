import { and, asc, eq, inArray } from 'drizzle-orm';
import { write, type Store, type StoreDb, type Tables } from '../db/store';
import type { QuestionDraft } from '../../contest/quiz';
import { parseQuizCsv } from '../../contest/quiz-csv';
import { auditInWrite, type Actor } from '../audit/record';
import { systemClock, type Clock } from '../shared/clock';
import { badRequest, conflict, notFound } from '../shared/errors';
import { m } from '../../paraglide/messages.js';
import type { QuizDraft } from './quiz-form';

// A manager's quiz commands: create, edit, publish, import from CSV. On the store (db/store.ts):
// one write each, audited. Questions cannot change once someone has taken the quiz: the results
// and the points already given would no longer match the questions shown.

export type QuizRow = Tables['quiz']['$inferSelect'];
type QuestionRow = Tables['quizQuestion']['$inferSelect'];
type OptionRow = Tables['quizOption']['$inferSelect'];
export type QuestionWithOptions = QuestionRow & { options: OptionRow[] };

async function findQuiz(db: StoreDb, store: Store, seasonId: number, quizId: number) {
	const { quiz } = store.tables;
	const [row] = await db
		.select()
		.from(quiz)
		.where(and(eq(quiz.id, quizId), eq(quiz.seasonId, seasonId)));
	if (!row) throw notFound('quiz_not_found', m.quiz_not_found());
	return row;
}

/** A quiz of the season; an AppError (404) when the season has no such quiz. */
export function getQuiz(store: Store, seasonId: number, quizId: number): Promise<QuizRow> {
	return findQuiz(store.db, store, seasonId, quizId);
}

/** `questionsOf` inside a write (taking a quiz, editing one). */
export async function questionsInWrite(
	db: StoreDb,
	store: Store,
	quizId: number
): Promise<QuestionWithOptions[]> {
	const { quizQuestion, quizOption } = store.tables;
	const questions = await db
		.select()
		.from(quizQuestion)
		.where(eq(quizQuestion.quizId, quizId))
		.orderBy(asc(quizQuestion.position));
	if (questions.length === 0) return [];
	const options = await db
		.select()
		.from(quizOption)
		.where(
			inArray(
				quizOption.questionId,
				questions.map((q) => q.id)
			)
		)
		.orderBy(asc(quizOption.position));
	return questions.map((q) => ({ ...q, options: options.filter((o) => o.questionId === q.id) }));
}

/** A quiz's questions with their options, in order. */
export function questionsOf(store: Store, quizId: number): Promise<QuestionWithOptions[]> {
	return questionsInWrite(store.db, store, quizId);
}

export function asDrafts(questions: QuestionWithOptions[]): QuestionDraft[] {
	return questions.map((q) => ({
		kind: q.kind,
		prompt: q.prompt,
		pictureUrl: q.pictureUrl,
		explanation: q.explanation,
		options: q.options.map((o) => ({ label: o.label, correct: o.correct }))
	}));
}

async function writeQuestions(
	tx: StoreDb,
	store: Store,
	quizId: number,
	questions: readonly QuestionDraft[]
) {
	const { quizQuestion, quizOption } = store.tables;
	await tx.delete(quizQuestion).where(eq(quizQuestion.quizId, quizId));
	for (const [position, q] of questions.entries()) {
		const [{ id }] = await tx
			.insert(quizQuestion)
			.values({
				quizId,
				position,
				kind: q.kind,
				prompt: q.prompt,
				pictureUrl: q.pictureUrl,
				explanation: q.explanation
			})
			.returning({ id: quizQuestion.id });
		await tx.insert(quizOption).values(
			q.options.map((o, i) => ({
				questionId: id,
				position: i,
				label: o.label,
				correct: o.correct
			}))
		);
	}
}

async function hasAttempts(tx: StoreDb, store: Store, quizId: number) {
	const { quizAttempt } = store.tables;
	const [any] = await tx
		.select({ id: quizAttempt.id })
		.from(quizAttempt)
		.where(eq(quizAttempt.quizId, quizId))
		.limit(1);
	return any !== undefined;
}

function own(draft: QuizDraft) {
	const { title, intro, pointsPerCorrect, passPercent, opensAt, closesAt } = draft;
	return { title, intro, pointsPerCorrect, passPercent, opensAt, closesAt };
}

/** A new draft quiz of the season. */
export function createQuiz(
	store: Store,
	seasonId: number,
	draft: QuizDraft,
	actor: Actor,
	clock: Clock = systemClock
): Promise<QuizRow> {
	const now = clock();
	const { quiz } = store.tables;
	return write(store, async (tx) => {
		const [row] = await tx
			.insert(quiz)
			.values({
				seasonId,
				...own(draft),
				createdById: actor.userId ?? null,
				createdAt: now,
				updatedAt: now
			})
			.returning();
		await writeQuestions(tx, store, row.id, draft.questions);
		await auditInWrite(
			tx,
			store,
			actor,
			'quiz.create',
			`quiz:${row.id}`,
			{ seasonId, title: row.title },
			now
		);
		return row;
	});
}

/** Saves a quiz's settings and questions; questions are locked once someone has taken it. */
export function updateQuiz(
	store: Store,
	seasonId: number,
	quizId: number,
	draft: QuizDraft,
	actor: Actor,
	clock: Clock = systemClock
): Promise<QuizRow> {
	const now = clock();
	const { quiz } = store.tables;
	return write(store, async (tx) => {
		await findQuiz(tx, store, seasonId, quizId);
		const before = asDrafts(await questionsInWrite(tx, store, quizId));
		const changed = JSON.stringify(before) !== JSON.stringify(draft.questions);
		if (changed) {
			if (await hasAttempts(tx, store, quizId))
				throw conflict('quiz_taken', m.quiz_error_questions_locked(), { field: 'questions' });
			await writeQuestions(tx, store, quizId, draft.questions);
		}
		const [row] = await tx
			.update(quiz)
			.set({ ...own(draft), updatedAt: now })
			.where(eq(quiz.id, quizId))
			.returning();
		await auditInWrite(
			tx,
			store,
			actor,
			'quiz.update',
			`quiz:${quizId}`,
			{ seasonId, title: row.title, questionsChanged: changed },
			now
		);
		return row;
	});
}

/** Publishes a draft: members see it from its opening time. Publishing twice is harmless. */
export function publishQuiz(
	store: Store,
	seasonId: number,
	quizId: number,
	actor: Actor,
	clock: Clock = systemClock
): Promise<QuizRow> {
	const now = clock();
	const { quiz, quizQuestion } = store.tables;
	return write(store, async (tx) => {
		const row = await findQuiz(tx, store, seasonId, quizId);
		if (row.publishedAt != null) return row;
		const [question] = await tx
			.select({ id: quizQuestion.id })
			.from(quizQuestion)
			.where(eq(quizQuestion.quizId, quizId))
			.limit(1);
		if (!question) throw badRequest('quiz_empty', m.quiz_error_no_questions());
		const [published] = await tx
			.update(quiz)
			.set({ publishedAt: now, updatedAt: now })
			.where(eq(quiz.id, quizId))
			.returning();
		await auditInWrite(
			tx,
			store,
			actor,
			'quiz.publish',
			`quiz:${quizId}`,
			{ seasonId, title: row.title },
			now
		);
		return published;
	});
}

/**
 * A new draft quiz from a CSV file of questions (see docs/quizzes.md). A file with any bad row
 * creates nothing: the AppError's details list every problem by row and column.
 */
export async function importQuiz(
	store: Store,
	seasonId: number,
	input: Omit<QuizDraft, 'questions'> & { csv: string },
	actor: Actor,
	clock: Clock = systemClock
): Promise<QuizRow> {
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
	return createQuiz(store, seasonId, { ...input, questions }, actor, clock);
}
