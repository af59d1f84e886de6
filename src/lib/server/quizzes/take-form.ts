import type { QuizAnswers } from '../db/schema';
import { isAnswerRight, type QuestionKind } from '../../contest/quiz';

// The participant's quiz form: one field per question, `q<questionId>`, holding the chosen
// option ids (a radio group or checkboxes), and the form's one-time `requestId`.

export function readAnswers(form: FormData): { answers: QuizAnswers; requestId: string | null } {
	const answers: QuizAnswers = {};
	for (const [key, value] of form.entries()) {
		const match = /^q(\d{1,9})$/.exec(key);
		const option = Number(value);
		if (!match || typeof value !== 'string' || !Number.isInteger(option) || option <= 0) continue;
		(answers[match[1]] ??= []).push(option);
	}
	const requestId = String(form.get('requestId') ?? '').trim();
	return { answers, requestId: /^[\w-]{8,100}$/.test(requestId) ? requestId : null };
}

interface StoredQuestion {
	id: number;
	kind: QuestionKind;
	prompt: string;
	pictureUrl: string | null;
	explanation: string | null;
	options: { id: number; label: string; correct: boolean }[];
}

/** An attempt with the correct answers and the explanations, for the result view. */
export function attemptView(
	questions: readonly StoredQuestion[],
	attempt: {
		id: number;
		answers: QuizAnswers;
		correctCount: number;
		questionCount: number;
		passed: boolean;
		earning: boolean;
		points: number;
	}
) {
	return {
		id: attempt.id,
		correct: attempt.correctCount,
		of: attempt.questionCount,
		passed: attempt.passed,
		earning: attempt.earning,
		points: attempt.points,
		questions: questions.map((q) => {
			const chosen = attempt.answers[String(q.id)] ?? [];
			return {
				id: q.id,
				prompt: q.prompt,
				pictureUrl: q.pictureUrl,
				explanation: q.explanation,
				right: isAnswerRight(q, chosen),
				options: q.options.map((o) => ({
					id: o.id,
					label: o.label,
					correct: o.correct,
					chosen: chosen.includes(o.id)
				}))
			};
		})
	};
}
