import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import * as z from 'zod';
import {
	isPictureUrl,
	questionProblem,
	QUIZ_LIMITS,
	type QuestionDraft,
	type QuestionKind
} from '../../contest/quiz';
import { problemMessage } from '../../contest/quiz-csv';
import { m } from '../../paraglide/messages.js';
import { fieldErrors } from '../shared/form';

// The console's quiz form: values (what the inputs hold) ↔ FormData ↔ a checked draft. Times
// are wall-clock times in the season's zone, as a datetime-local input gives them. Question i's
// fields are `q.i.kind`, `q.i.prompt`, `q.i.picture`, `q.i.explanation`, and option j's label
// and correctness `q.i.o.j` and `q.i.c.j`.

export interface QuestionValues {
	kind: QuestionKind;
	prompt: string;
	picture: string;
	explanation: string;
	options: { label: string; correct: boolean }[];
}

export interface QuizValues {
	title: string;
	intro: string;
	pointsPerCorrect: string;
	passPercent: string;
	opensAt: string;
	closesAt: string;
	questions: QuestionValues[];
}

export interface QuizDraft {
	title: string;
	intro: string | null;
	pointsPerCorrect: number;
	passPercent: number;
	opensAt: number;
	closesAt: number | null;
	questions: QuestionDraft[];
}

export const emptyQuestion = (): QuestionValues => ({
	kind: 'single',
	prompt: '',
	picture: '',
	explanation: '',
	options: [
		{ label: '', correct: true },
		{ label: '', correct: false }
	]
});

/** A datetime-local value for `ms` in `timeZone`. */
export function localInput(ms: number, timeZone: string): string {
	return format(new TZDate(ms, timeZone), "yyyy-MM-dd'T'HH:mm");
}

/** The instant a datetime-local value means in `timeZone`; null when it is not one. */
export function parseLocalInput(text: string, timeZone: string): number | null {
	const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(text.trim());
	if (!match) return null;
	const [y, mo, d, h, mi] = match.slice(1).map(Number);
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return null;
	const at = new TZDate(y, mo - 1, d, h, mi, timeZone).getTime();
	return Number.isNaN(at) ? null : at;
}

export function emptyQuizValues(now: number, timeZone: string): QuizValues {
	return {
		title: '',
		intro: '',
		pointsPerCorrect: '10',
		passPercent: '80',
		opensAt: localInput(now, timeZone),
		closesAt: '',
		questions: [emptyQuestion()]
	};
}

export function quizToValues(
	quiz: {
		title: string;
		intro: string | null;
		pointsPerCorrect: number;
		passPercent: number;
		opensAt: number;
		closesAt: number | null;
	},
	questions: readonly QuestionDraft[],
	timeZone: string
): QuizValues {
	return {
		title: quiz.title,
		intro: quiz.intro ?? '',
		pointsPerCorrect: String(quiz.pointsPerCorrect),
		passPercent: String(quiz.passPercent),
		opensAt: localInput(quiz.opensAt, timeZone),
		closesAt: quiz.closesAt == null ? '' : localInput(quiz.closesAt, timeZone),
		questions: questions.map((q) => ({
			kind: q.kind,
			prompt: q.prompt,
			picture: q.pictureUrl ?? '',
			explanation: q.explanation ?? '',
			options: q.options.map((o) => ({ ...o }))
		}))
	};
}

export function readQuizForm(form: FormData): QuizValues {
	const text = (key: string) => String(form.get(key) ?? '');
	const questions: QuestionValues[] = [];
	for (let i = 0; form.has(`q.${i}.prompt`) && i < QUIZ_LIMITS.questions + 1; i++) {
		const options: QuestionValues['options'] = [];
		for (let j = 0; form.has(`q.${i}.o.${j}`) && j < QUIZ_LIMITS.maxOptions + 1; j++) {
			options.push({ label: text(`q.${i}.o.${j}`), correct: form.has(`q.${i}.c.${j}`) });
		}
		questions.push({
			kind: text(`q.${i}.kind`) === 'multiple' ? 'multiple' : 'single',
			prompt: text(`q.${i}.prompt`),
			picture: text(`q.${i}.picture`),
			explanation: text(`q.${i}.explanation`),
			options
		});
	}
	return {
		title: text('title'),
		intro: text('intro'),
		pointsPerCorrect: text('pointsPerCorrect'),
		passPercent: text('passPercent'),
		opensAt: text('opensAt'),
		closesAt: text('closesAt'),
		questions
	};
}

const whole = (max: number, message: () => string) =>
	z
		.string()
		.trim()
		.regex(/^\d+$/, { error: message })
		.transform(Number)
		.refine((n) => n <= max, { error: message });

/** The quiz's own fields, shared by the form and the CSV import. */
export const quizFields = {
	title: z
		.string()
		.trim()
		.min(1, { error: () => m.quiz_error_title() })
		.max(QUIZ_LIMITS.title, { error: () => m.quiz_error_title_long({ max: QUIZ_LIMITS.title }) }),
	intro: z
		.string()
		.trim()
		.max(QUIZ_LIMITS.intro, { error: () => m.quiz_error_intro_long({ max: QUIZ_LIMITS.intro }) })
		.transform((s) => s || null),
	pointsPerCorrect: whole(QUIZ_LIMITS.pointsPerCorrect, () =>
		m.quiz_error_points({ max: QUIZ_LIMITS.pointsPerCorrect })
	),
	passPercent: whole(100, () => m.quiz_error_pass_percent())
};

const questionSchema = z.object({
	prompt: z
		.string()
		.trim()
		.min(1, { error: () => m.quiz_error_prompt() })
		.max(QUIZ_LIMITS.prompt, {
			error: () => m.quiz_error_prompt_long({ max: QUIZ_LIMITS.prompt })
		}),
	picture: z
		.string()
		.trim()
		.max(QUIZ_LIMITS.pictureUrl, { error: () => m.quiz_error_picture() })
		.refine((s) => s === '' || isPictureUrl(s), { error: () => m.quiz_error_picture() }),
	explanation: z
		.string()
		.trim()
		.max(QUIZ_LIMITS.explanation, {
			error: () => m.quiz_error_explanation_long({ max: QUIZ_LIMITS.explanation })
		})
});

export type QuizParsed =
	{ ok: true; draft: QuizDraft } | { ok: false; errors: Record<string, string> };

/** Checks every field; errors are keyed by field name (`q.2.options` for a question's answers). */
export function parseQuiz(values: QuizValues, timeZone: string): QuizParsed {
	const errors: Record<string, string> = {};
	const own = z.object(quizFields).safeParse(values);
	if (!own.success) Object.assign(errors, fieldErrors(own.error));
	const opensAt = parseLocalInput(values.opensAt, timeZone);
	if (opensAt == null) errors.opensAt = m.quiz_error_opens();
	let closesAt: number | null = null;
	if (values.closesAt.trim() !== '') {
		closesAt = parseLocalInput(values.closesAt, timeZone);
		if (closesAt == null || (opensAt != null && closesAt <= opensAt))
			errors.closesAt = m.quiz_error_closes();
	}
	if (values.questions.length === 0) errors.questions = m.quiz_error_no_questions();
	if (values.questions.length > QUIZ_LIMITS.questions)
		errors.questions = m.quiz_error_too_many_questions({ max: QUIZ_LIMITS.questions });
	const questions: QuestionDraft[] = [];
	values.questions.forEach((q, i) => {
		const parsed = questionSchema.safeParse(q);
		if (!parsed.success) {
			for (const [key, message] of Object.entries(fieldErrors(parsed.error)))
				errors[`q.${i}.${key}`] ??= message;
		}
		const options = q.options
			.map((o) => ({ label: o.label.trim(), correct: o.correct }))
			.filter((o) => o.label !== '');
		if (q.options.some((o) => o.label.trim().length > QUIZ_LIMITS.option))
			errors[`q.${i}.options`] = m.quiz_error_option_long({ max: QUIZ_LIMITS.option });
		const draft: QuestionDraft = {
			kind: q.kind,
			prompt: q.prompt.trim(),
			pictureUrl: q.picture.trim() || null,
			explanation: q.explanation.trim() || null,
			options
		};
		const problem = questionProblem(draft);
		if (problem) errors[`q.${i}.options`] ??= problemMessage(problem);
		questions.push(draft);
	});
	if (Object.keys(errors).length > 0 || !own.success || opensAt == null)
		return { ok: false, errors };
	return { ok: true, draft: { ...own.data, opensAt, closesAt, questions } };
}
