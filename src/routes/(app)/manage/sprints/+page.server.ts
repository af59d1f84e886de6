import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
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
import { parseForm, refuse, refuseError } from '$lib/server/shared/form';
import { removal, sprintLocked } from '$lib/contest/format-edit';
import { m } from '$lib/paraglide/messages.js';

const DAY = 86_400_000;

export const load: PageServerLoad = (event) => {
	requireRole(event, MANAGERS);
	const season = consoleSeason();
	if (!season) return { season: null, sprints: [], measures: [], values: null, editing: null };
	const db = getDb();
	const now = Date.now();
	// ?edit=<id>: the form shows that sprint, with what it may no longer change locked.
	const edited = sprintIn(db, season.id, Number(event.url.searchParams.get('edit')));
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
		sprints: listSprints(db, season.id).map((s) => {
			const decided = removal(s, now);
			return { ...s, removal: decided.ok ? decided.action : null };
		}),
		measures: measureChoices(db, season.id),
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

export const actions = {
	create: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = consoleSeason();
		if (!season) return refuse(404, 'create', m.sprints_error_no_season());
		const values = sprintFormValues(await event.request.formData());
		const parsed = parseForm(sprintFormSchema(season.timeZone), values, 'create', values);
		if (!parsed.ok) return parsed.failure;
		let id: number;
		try {
			id = createSprint(getDb(), season.id, parsed.data, { userId: user.id }).sprint.id;
		} catch (e) {
			return refuseError(e, 'create', values);
		}
		redirect(303, `/manage/sprints?created=${id}`);
	},
	update: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = consoleSeason();
		if (!season) return refuse(404, 'update', m.sprints_error_no_season());
		const form = await event.request.formData();
		const db = getDb();
		const stored = sprintIn(db, season.id, Number(form.get('id')));
		if (!stored) return refuse(404, 'update', m.sprints_error_not_found());
		const values = sprintEditValues(form, sprintValuesOf(stored, season.timeZone));
		const parsed = parseForm(sprintEditSchema(season.timeZone), values, 'update', values);
		if (!parsed.ok) return parsed.failure;
		try {
			updateSprint(db, season.id, stored.id, parsed.data, { userId: user.id });
		} catch (e) {
			return refuseError(e, 'update', values);
		}
		redirect(303, `/manage/sprints?saved=${stored.id}`);
	},
	remove: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = consoleSeason();
		if (!season) return refuse(404, 'remove', m.sprints_error_no_season());
		const id = Number((await event.request.formData()).get('id'));
		try {
			const done = removeSprint(getDb(), season.id, id, { userId: user.id });
			return {
				action: 'remove' as const,
				message: done === 'deleted' ? m.sprints_deleted() : m.sprints_cancelled()
			};
		} catch (e) {
			return refuseError(e, 'remove');
		}
	}
} satisfies Actions;
