import type { Actions, PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { consoleSeason } from '$lib/server/seasons/choice';
import { createSprint, removeSprint, updateSprint } from '$lib/server/sprints/commands';
import { listSprints, measureChoices, sprintIn } from '$lib/server/sprints/console';
import {
	sprintEditSchema,
	sprintEditValues,
	sprintFormSchema,
	sprintFormValues,
	sprintValuesOf
} from '$lib/server/sprints/sprint-form';
import { localInput } from '$lib/server/quizzes/quiz-form';
import { raceActions } from '$lib/server/sprints/race-actions';
import { removal, sprintLocked } from '$lib/contest/format-edit';
import { m } from '$lib/paraglide/messages.js';

const DAY = 86_400_000;

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	const season = await consoleSeason();
	if (!season) return { season: null, sprints: [], measures: [], values: null, editing: null };
	const store = getStore();
	const now = Date.now();
	// ?edit=<id>: the form shows that sprint, with what it may no longer change locked.
	const edited = await sprintIn(store, season.id, Number(event.url.searchParams.get('edit')));
	const editing =
		edited && removal(edited, now).ok
			? {
					id: edited.id,
					name: edited.name,
					locked: sprintLocked(edited, now),
					values: sprintValuesOf(edited, season.timeZone)
				}
			: null;
	return {
		season: { id: season.id, name: season.name, timeZone: season.timeZone },
		sprints: (await listSprints(store, season.id)).map((s) => {
			const decided = removal(s, now);
			return { ...s, removal: decided.ok ? decided.action : null };
		}),
		measures: await measureChoices(store, season.id),
		created: Number(event.url.searchParams.get('created')) || null,
		saved: Number(event.url.searchParams.get('saved')) || null,
		editing,
		values: {
			name: '',
			subject: 'user',
			measure: 'points',
			target: '500',
			startsAt: localInput(now, season.timeZone),
			endsAt: localInput(now + 7 * DAY, season.timeZone),
			prize: '',
			requestId: crypto.randomUUID()
		}
	};
};

export const actions = raceActions({
	path: '/manage/sprints',
	notFound: () => m.sprints_error_not_found(),
	removed: (done) => (done === 'deleted' ? m.sprints_deleted() : m.sprints_cancelled()),
	formValues: sprintFormValues,
	formSchema: sprintFormSchema,
	editValues: sprintEditValues,
	editSchema: sprintEditSchema,
	valuesOf: sprintValuesOf,
	find: sprintIn,
	create: async (store, seasonId, input, actor) =>
		(await createSprint(store, seasonId, input, actor)).sprint,
	update: updateSprint,
	remove: removeSprint
}) satisfies Actions;
