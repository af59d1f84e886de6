import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
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
import { parseForm, refuse, refuseError } from '$lib/server/shared/form';
import { knockoutLocked, removal } from '$lib/contest/format-edit';
import { m } from '$lib/paraglide/messages.js';

const HOUR = 3_600_000;

export const load: PageServerLoad = (event) => {
	requireRole(event, MANAGERS);
	const season = consoleSeason();
	if (!season) return { season: null, knockouts: [], measures: [], values: null, editing: null };
	const db = getDb();
	const now = Date.now();
	// ?edit=<id>: the form shows that knockout, with what it may no longer change locked.
	const edited = knockoutIn(db, season.id, Number(event.url.searchParams.get('edit')));
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
		knockouts: listKnockouts(db, season.id).map((k) => {
			const decided = removal(k, now);
			return { ...k, removal: decided.ok ? decided.action : null };
		}),
		measures: measureChoices(db, season.id),
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
	},
	update: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = consoleSeason();
		if (!season) return refuse(404, 'update', m.sprints_error_no_season());
		const form = await event.request.formData();
		const db = getDb();
		const stored = knockoutIn(db, season.id, Number(form.get('id')));
		if (!stored) return refuse(404, 'update', m.knockouts_error_not_found());
		const values = knockoutEditValues(form, knockoutValuesOf(stored, season.timeZone));
		const parsed = parseForm(knockoutEditSchema(season.timeZone), values, 'update', values);
		if (!parsed.ok) return parsed.failure;
		try {
			updateKnockout(db, season.id, stored.id, parsed.data, { userId: user.id });
		} catch (e) {
			return refuseError(e, 'update', values);
		}
		redirect(303, `/manage/knockouts?saved=${stored.id}`);
	},
	remove: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = consoleSeason();
		if (!season) return refuse(404, 'remove', m.sprints_error_no_season());
		const id = Number((await event.request.formData()).get('id'));
		try {
			const done = removeKnockout(getDb(), season.id, id, { userId: user.id });
			return {
				action: 'remove' as const,
				message: done === 'deleted' ? m.knockouts_deleted() : m.knockouts_cancelled()
			};
		} catch (e) {
			return refuseError(e, 'remove');
		}
	}
} satisfies Actions;
