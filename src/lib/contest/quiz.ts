// Training quizzes as pure functions: whether an answer is right, what an attempt scores, and
// when a quiz can be taken. No partial credit: a multiple-choice question is right only when
// exactly its correct options are chosen.

export type QuestionKind = 'single' | 'multiple';

export interface QuestionKey {
	id: number;
	kind: QuestionKind;
	options: readonly { id: number; correct: boolean }[];
}

/** Chosen option ids per question id (as stored on the attempt). */
export type Answers = Record<string, readonly number[]>;

export interface QuizTerms {
	pointsPerCorrect: number;
	/** 0–100: the share of correct answers that passes. */
	passPercent: number;
}

export interface AttemptScore {
	correctCount: number;
	questionCount: number;
	passed: boolean;
	/** correct × pointsPerCorrect on the earning attempt; 0 on a retry. */
	points: number;
	/** Per question, in the quiz's order: whether it was answered right. */
	correct: { questionId: number; correct: boolean }[];
}

/** Whether `chosen` is exactly the right answer to `question`. */
export function isAnswerRight(question: QuestionKey, chosen: readonly number[]): boolean {
	const right = new Set(question.options.filter((o) => o.correct).map((o) => o.id));
	const picked = new Set(chosen);
	if (question.kind === 'single' && chosen.length !== 1) return false;
	if (picked.size !== right.size) return false;
	for (const id of picked) if (!right.has(id)) return false;
	return true;
}

/** Scores an attempt; only the earning (first) attempt earns points. */
export function scoreAttempt(
	questions: readonly QuestionKey[],
	answers: Answers,
	terms: QuizTerms,
	earning: boolean
): AttemptScore {
	const correct = questions.map((q) => ({
		questionId: q.id,
		correct: isAnswerRight(q, answers[String(q.id)] ?? [])
	}));
	const correctCount = correct.filter((c) => c.correct).length;
	const questionCount = questions.length;
	return {
		correctCount,
		questionCount,
		passed: passes(correctCount, questionCount, terms.passPercent),
		points: earning ? correctCount * terms.pointsPerCorrect : 0,
		correct
	};
}

/** correct / total ≥ pass %, computed in integers so 4/5 at 80 % passes exactly. */
export function passes(correctCount: number, questionCount: number, passPercent: number): boolean {
	if (questionCount === 0) return false;
	return correctCount * 100 >= passPercent * questionCount;
}

/** The most an attempt can earn. */
export const maxPoints = (questionCount: number, pointsPerCorrect: number) =>
	questionCount * pointsPerCorrect;

export type AnswerProblem =
	| { questionId: number; problem: 'unanswered' }
	| { questionId: number; problem: 'one_only' }
	| { questionId: number; problem: 'unknown_option' };

/**
 * What is wrong with a submitted set of answers: a question without an answer, a single-choice
 * question with several, an option that is not the question's. Empty: the answers can be scored.
 */
export function checkAnswers(questions: readonly QuestionKey[], answers: Answers): AnswerProblem[] {
	const problems: AnswerProblem[] = [];
	for (const q of questions) {
		const chosen = answers[String(q.id)] ?? [];
		const ids = new Set(q.options.map((o) => o.id));
		if (chosen.length === 0) problems.push({ questionId: q.id, problem: 'unanswered' });
		else if (chosen.some((id) => !ids.has(id)))
			problems.push({ questionId: q.id, problem: 'unknown_option' });
		else if (q.kind === 'single' && new Set(chosen).size > 1)
			problems.push({ questionId: q.id, problem: 'one_only' });
	}
	return problems;
}

export type QuizStatus = 'draft' | 'scheduled' | 'open' | 'closed';

export interface QuizWindow {
	publishedAt: number | null;
	opensAt: number;
	/** Null: open until the season ends. */
	closesAt: number | null;
}

/**
 * Where a quiz stands at `now`: a draft until published, then scheduled until it opens, open
 * until it closes (its own close, else the season's end), then closed. Both ends are half-open:
 * [opensAt, closesAt).
 */
export function quizStatus(quiz: QuizWindow, now: number, seasonEndsAt?: number): QuizStatus {
	if (quiz.publishedAt == null) return 'draft';
	if (now < quiz.opensAt) return 'scheduled';
	const closesAt = quiz.closesAt ?? seasonEndsAt ?? Infinity;
	return now < closesAt ? 'open' : 'closed';
}

export const isOpen = (quiz: QuizWindow, now: number, seasonEndsAt?: number) =>
	quizStatus(quiz, now, seasonEndsAt) === 'open';

/** Limits of a quiz's parts (the form, the CSV import and their checks share them). */
export const QUIZ_LIMITS = {
	title: 120,
	intro: 600,
	prompt: 300,
	option: 160,
	explanation: 600,
	pictureUrl: 500,
	questions: 30,
	minOptions: 2,
	maxOptions: 6,
	pointsPerCorrect: 1000
} as const;

export interface QuestionDraft {
	kind: QuestionKind;
	prompt: string;
	pictureUrl: string | null;
	explanation: string | null;
	options: { label: string; correct: boolean }[];
}

export type QuestionProblem = 'too_few_options' | 'too_many_options' | 'no_correct' | 'one_correct';

/** What is wrong with a question's options, if anything. */
export function questionProblem(q: QuestionDraft): QuestionProblem | null {
	if (q.options.length < QUIZ_LIMITS.minOptions) return 'too_few_options';
	if (q.options.length > QUIZ_LIMITS.maxOptions) return 'too_many_options';
	const right = q.options.filter((o) => o.correct).length;
	if (right === 0) return 'no_correct';
	if (q.kind === 'single' && right !== 1) return 'one_correct';
	return null;
}

/** A picture is an absolute http(s) address or a path on this site. */
export function isPictureUrl(text: string): boolean {
	if (text.startsWith('/') && !text.startsWith('//')) return true;
	try {
		const url = new URL(text);
		return url.protocol === 'https:' || url.protocol === 'http:';
	} catch {
		return false;
	}
}
