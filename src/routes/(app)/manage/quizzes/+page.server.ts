import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { consoleSeason } from '$lib/server/seasons/choice';
import { importQuiz, publishQuiz } from '$lib/server/quizzes/commands';
import { listQuizzes } from '$lib/server/quizzes/queries';
import { announceOpenedQuizzes } from '$lib/server/quizzes/announce';
import { quizFields } from '$lib/server/quizzes/quiz-form';
import { AppError } from '$lib/server/shared/errors';
import { refuse, refuseError } from '$lib/server/shared/form';
import type { CsvError } from '$lib/csv';
import { m } from '$lib/paraglide/messages.js';
import { currentSeason } from './quiz-editor.server';

const MAX_FILE = 256 * 1024;

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	const season = await consoleSeason();
	if (!season) return { season: null, quizzes: [], saved: null };
	const quizzes = await listQuizzes(getStore(), season.id, Date.now());
	const saved = quizzes.find((q) => q.id === Number(event.url.searchParams.get('saved')));
	return {
		season: { id: season.id, name: season.name, timeZone: season.timeZone },
		quizzes,
		saved: saved ? { title: saved.title } : null
	};
};

export const actions = {
	publish: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = await currentSeason();
		const form = await event.request.formData();
		try {
			const quiz = await publishQuiz(getStore(), season.id, Number(form.get('id')), {
				userId: user.id
			});
			// Already open: the board and phones hear of it now rather than at the next job tick.
			await announceOpenedQuizzes(getStore());
			return { action: 'publish', message: m.quiz_manage_published({ title: quiz.title }) };
		} catch (e) {
			return refuseError(e, 'publish');
		}
	},
	import: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = await currentSeason();
		const form = await event.request.formData();
		const title = String(form.get('title') ?? '');
		const file = form.get('file');
		const values = { title };
		const checked = quizFields.title.safeParse(title);
		if (!checked.success)
			return refuse(400, 'import', checked.error.issues[0].message, {
				errors: { title: checked.error.issues[0].message },
				values
			});
		if (!(file instanceof File) || file.size === 0)
			return refuse(400, 'import', m.quiz_import_no_file(), {
				errors: { file: m.quiz_import_no_file() },
				values
			});
		if (file.size > MAX_FILE)
			return refuse(400, 'import', m.quiz_import_too_big(), {
				errors: { file: m.quiz_import_too_big() },
				values
			});
		let id: number;
		try {
			id = (
				await importQuiz(
					getStore(),
					season.id,
					{
						title: checked.data,
						intro: null,
						pointsPerCorrect: 10,
						passPercent: 80,
						opensAt: Date.now(),
						closesAt: null,
						csv: await file.text()
					},
					{ userId: user.id }
				)
			).id;
		} catch (e) {
			if (e instanceof AppError && e.code === 'quiz_csv_invalid')
				return refuse(400, 'import', e.message, {
					errors: { file: e.message },
					values,
					problems: e.details.errors as CsvError[]
				});
			return refuseError(e, 'import', values);
		}
		redirect(303, `/manage/quizzes/${id}?imported=1`);
	}
} satisfies Actions;
