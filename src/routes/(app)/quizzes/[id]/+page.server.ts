import { error, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { requireUser } from '$lib/server/auth/guards';
import { readMembership } from '$lib/server/seasons/queries';
import { quizForMember } from '$lib/server/quizzes/queries';
import { attemptsOf, takeQuiz } from '$lib/server/quizzes/attempts';
import { attemptView, readAnswers } from '$lib/server/quizzes/take-form';
import { refuse, refuseError } from '$lib/server/shared/form';
import { m } from '$lib/paraglide/messages.js';

function quizId(params: { id: string }) {
	const id = Number(params.id);
	if (!Number.isInteger(id) || id <= 0) error(404, { message: m.quiz_not_found() });
	return id;
}

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const store = getStore();
	const id = quizId(event.params);
	const found = await quizForMember(store, id, Date.now());
	if (!found) error(404, { message: m.quiz_not_found() });
	if (!(await readMembership(store, found.quiz.seasonId, user.id)))
		error(403, { message: m.quiz_error_not_member() });
	const attempts = await attemptsOf(store, id, user.id);
	const asked = Number(event.url.searchParams.get('attempt'));
	const shown =
		attempts.find((a) => a.id === asked) ??
		(event.url.searchParams.has('retry') ? undefined : attempts[0]);
	const earning = attempts.find((a) => a.earning);
	const open = found.status === 'open' && found.seasonLive;
	return {
		quiz: {
			id: found.quiz.id,
			title: found.quiz.title,
			intro: found.quiz.intro,
			pointsPerCorrect: found.quiz.pointsPerCorrect,
			passPercent: found.quiz.passPercent,
			closesAt: found.quiz.closesAt
		},
		status: open
			? ('open' as const)
			: found.status === 'scheduled'
				? ('scheduled' as const)
				: ('closed' as const),
		// The questions without their answers: the answers come only with a result.
		questions: found.questions.map((q) => ({
			id: q.id,
			kind: q.kind,
			prompt: q.prompt,
			pictureUrl: q.pictureUrl,
			options: q.options.map((o) => ({ id: o.id, label: o.label }))
		})),
		result: shown ? attemptView(found.questions, shown) : null,
		earned: earning
			? { points: earning.points, correct: earning.correctCount, of: earning.questionCount }
			: null,
		requestId: crypto.randomUUID()
	};
};

export const actions = {
	default: async (event) => {
		const user = requireUser(event);
		const id = quizId(event.params);
		const form = await event.request.formData();
		const { answers, requestId } = readAnswers(form);
		if (!requestId) return refuse(400, 'take', m.server_check_form(), { values: answers });
		let attemptId: number;
		try {
			const taken = await takeQuiz(getStore(), { quizId: id, userId: user.id, answers, requestId });
			attemptId = taken.attempt.id;
		} catch (e) {
			return refuseError(e, 'take', answers);
		}
		redirect(303, `/quizzes/${id}?attempt=${attemptId}`);
	}
} satisfies Actions;
