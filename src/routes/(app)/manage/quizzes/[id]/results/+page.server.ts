import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { getQuiz } from '$lib/server/quizzes/commands';
import { quizResults } from '$lib/server/quizzes/queries';
import { AppError } from '$lib/server/shared/errors';
import { m } from '$lib/paraglide/messages.js';
import { currentSeason } from '../../quiz-editor.server';

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	const season = await currentSeason();
	const id = Number(event.params.id);
	if (!Number.isInteger(id) || id <= 0) error(404, { message: m.quiz_not_found() });
	const store = getStore();
	try {
		const quiz = await getQuiz(store, season.id, id);
		return { quiz: { id, title: quiz.title }, results: await quizResults(store, season.id, id) };
	} catch (e) {
		if (e instanceof AppError) error(e.status, { message: e.message });
		throw e;
	}
};
