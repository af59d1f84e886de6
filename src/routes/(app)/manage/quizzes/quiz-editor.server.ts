import { error, redirect, type RequestEvent } from '@sveltejs/kit';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { consoleSeason } from '$lib/server/seasons/choice';
import { createQuiz, updateQuiz } from '$lib/server/quizzes/commands';
import { parseQuiz, readQuizForm, type QuizValues } from '$lib/server/quizzes/quiz-form';
import { refuse, refuseError } from '$lib/server/shared/form';
import { m } from '$lib/paraglide/messages.js';

// The new and edit pages share one form and its save action; `editing` names the quiz being
// edited (read after the role check), none for a new one.

export async function currentSeason() {
	const season = await consoleSeason();
	if (!season) error(404, { message: m.quiz_manage_no_season() });
	return season;
}

export function quizEditorActions(editing?: (event: RequestEvent) => number) {
	return {
		save: async (event: RequestEvent) => {
			const user = requireRole(event, MANAGERS);
			const editingId = editing?.(event);
			const season = await currentSeason();
			const values: QuizValues = readQuizForm(await event.request.formData());
			const parsed = parseQuiz(values, season.timeZone);
			if (!parsed.ok) {
				const message = Object.values(parsed.errors)[0] ?? m.server_check_form();
				return refuse(400, 'save', message, { errors: parsed.errors, values });
			}
			let id: number;
			try {
				const store = getStore();
				id = (
					editingId === undefined
						? await createQuiz(store, season.id, parsed.draft, { userId: user.id })
						: await updateQuiz(store, season.id, editingId, parsed.draft, { userId: user.id })
				).id;
			} catch (e) {
				return refuseError(e, 'save', values);
			}
			redirect(303, `/manage/quizzes?saved=${id}`);
		}
	};
}
