import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { asDrafts, getQuiz, questionsOf } from '$lib/server/quizzes/commands';
import { quizToValues } from '$lib/server/quizzes/quiz-form';
import { listQuizzes } from '$lib/server/quizzes/queries';
import { AppError } from '$lib/server/shared/errors';
import { m } from '$lib/paraglide/messages.js';
import { currentSeason, quizEditorActions } from '../quiz-editor.server';

function quizId(params: Record<string, string>) {
	const id = Number(params.id);
	if (!Number.isInteger(id) || id <= 0) error(404, { message: m.quiz_not_found() });
	return id;
}

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	const season = await currentSeason();
	const store = getStore();
	const id = quizId(event.params);
	try {
		const row = await getQuiz(store, season.id, id);
		const summary = (await listQuizzes(store, season.id, Date.now())).find((q) => q.id === id)!;
		return {
			season: { name: season.name, timeZone: season.timeZone },
			quiz: { id, title: row.title, status: summary.status, taken: summary.taken },
			locked: summary.taken > 0,
			values: quizToValues(row, asDrafts(await questionsOf(store, id)), season.timeZone)
		};
	} catch (e) {
		if (e instanceof AppError) error(e.status, { message: e.message });
		throw e;
	}
};

export const actions = quizEditorActions((event) => quizId(event.params)) satisfies Actions;
