import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { consoleSeason } from '$lib/server/seasons/choice';
import { createKnockout } from '$lib/server/knockouts/commands';
import { knockoutFormSchema, knockoutFormValues } from '$lib/server/knockouts/knockout-form';
import { listKnockouts, measureChoices } from '$lib/server/sprints/console';
import { localInput } from '$lib/server/quizzes/quiz-form';
import { parseForm, refuse, refuseError } from '$lib/server/shared/form';
import { m } from '$lib/paraglide/messages.js';

const HOUR = 3_600_000;

export const load: PageServerLoad = (event) => {
	requireRole(event, MANAGERS);
	const season = consoleSeason();
	if (!season) return { season: null, knockouts: [], measures: [], values: null };
	const db = getDb();
	// The next full hour: the ranking at that moment seeds the entrants.
	const start = Math.ceil(Date.now() / HOUR) * HOUR;
	return {
		season: { id: season.id, name: season.name, timeZone: season.timeZone },
		knockouts: listKnockouts(db, season.id),
		measures: measureChoices(db, season.id),
		created: Number(event.url.searchParams.get('created')) || null,
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

export const actions = {
	create: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = consoleSeason();
		if (!season) return refuse(404, 'create', m.sprints_error_no_season());
		const values = knockoutFormValues(await event.request.formData());
		const parsed = parseForm(knockoutFormSchema(season.timeZone), values, 'create', values);
		if (!parsed.ok) return parsed.failure;
		let id: number;
		try {
			id = createKnockout(getDb(), season.id, parsed.data, { userId: user.id }).knockout.id;
		} catch (e) {
			return refuseError(e, 'create', values);
		}
		redirect(303, `/manage/knockouts?created=${id}`);
	}
} satisfies Actions;
