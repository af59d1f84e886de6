import type { Actions, PageServerLoad } from './$types';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { emptyQuizValues } from '$lib/server/quizzes/quiz-form';
import { currentSeason, quizEditorActions } from '../quiz-editor.server';

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	const season = await currentSeason();
	return {
		season: { name: season.name, timeZone: season.timeZone },
		quiz: null,
		locked: false,
		values: emptyQuizValues(Date.now(), season.timeZone)
	};
};

export const actions = quizEditorActions() satisfies Actions;
