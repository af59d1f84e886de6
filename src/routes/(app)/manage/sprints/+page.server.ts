import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { consoleSeason } from '$lib/server/seasons/choice';
import { createSprint } from '$lib/server/sprints/commands';
import { listSprints, measureChoices } from '$lib/server/sprints/console';
import { sprintFormSchema, sprintFormValues } from '$lib/server/sprints/sprint-form';
import { localInput } from '$lib/server/quizzes/quiz-form';
import { parseForm, refuse, refuseError } from '$lib/server/shared/form';
import { m } from '$lib/paraglide/messages.js';

const DAY = 86_400_000;

export const load: PageServerLoad = (event) => {
	requireRole(event, MANAGERS);
	const season = consoleSeason();
	if (!season) return { season: null, sprints: [], measures: [], values: null };
	const db = getDb();
	const now = Date.now();
	return {
		season: { id: season.id, name: season.name, timeZone: season.timeZone },
		sprints: listSprints(db, season.id),
		measures: measureChoices(db, season.id),
		created: Number(event.url.searchParams.get('created')) || null,
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
	}
} satisfies Actions;
