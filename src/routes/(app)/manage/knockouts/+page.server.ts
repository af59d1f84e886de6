import type { Actions, PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { consoleSeason } from '$lib/server/seasons/choice';
import { createKnockout, removeKnockout, updateKnockout } from '$lib/server/knockouts/commands';
import {
	knockoutEditSchema,
	knockoutEditValues,
	knockoutFormSchema,
	knockoutFormValues,
	knockoutValuesOf
} from '$lib/server/knockouts/knockout-form';
import { knockoutIn, listKnockouts, measureChoices } from '$lib/server/sprints/console';
import { localInput } from '$lib/server/quizzes/quiz-form';
import { raceActions } from '$lib/server/sprints/race-actions';
import { knockoutLocked, removal } from '$lib/contest/format-edit';
import { m } from '$lib/paraglide/messages.js';

const HOUR = 3_600_000;

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	const season = await consoleSeason();
	if (!season) return { season: null, knockouts: [], measures: [], values: null, editing: null };
	const store = getStore();
	const now = Date.now();
	// ?edit=<id>: the form shows that knockout, with what it may no longer change locked.
	const edited = await knockoutIn(store, season.id, Number(event.url.searchParams.get('edit')));
	const editing =
		edited && removal(edited, now).ok
			? {
					id: edited.id,
					name: edited.name,
					locked: knockoutLocked(edited, now),
					values: knockoutValuesOf(edited, season.timeZone)
				}
			: null;
	// The next full hour: the ranking at that moment seeds the entrants.
	const start = Math.ceil(now / HOUR) * HOUR;
	return {
		season: { id: season.id, name: season.name, timeZone: season.timeZone },
		knockouts: (await listKnockouts(store, season.id)).map((k) => {
			const decided = removal(k, now);
			return { ...k, removal: decided.ok ? decided.action : null };
		}),
		measures: await measureChoices(store, season.id),
		created: Number(event.url.searchParams.get('created')) || null,
		saved: Number(event.url.searchParams.get('saved')) || null,
		editing,
		values: {
			name: '',
			subject: 'user',
			measure: 'points',
			size: '8',
			roundLength: '1',
			roundUnit: 'day',
			graceHours: '2',
			startsAt: localInput(start, season.timeZone),
			prize: '',
			requestId: crypto.randomUUID()
		}
	};
};

export const actions = raceActions({
	path: '/manage/knockouts',
	notFound: () => m.knockouts_error_not_found(),
	removed: (done) => (done === 'deleted' ? m.knockouts_deleted() : m.knockouts_cancelled()),
	formValues: knockoutFormValues,
	formSchema: knockoutFormSchema,
	editValues: knockoutEditValues,
	editSchema: knockoutEditSchema,
	valuesOf: knockoutValuesOf,
	find: knockoutIn,
	create: async (store, seasonId, input, actor) =>
		(await createKnockout(store, seasonId, input, actor)).knockout,
	update: updateKnockout,
	remove: removeKnockout
}) satisfies Actions;
