import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { consoleSeason } from '$lib/server/seasons/choice';
import {
	activityTypeFields,
	createActivityType,
	listActivityTypes,
	setActivityTypeActive,
	updateActivityType
} from '$lib/server/activities/types';
import { recentActivities } from '$lib/server/activities/queries';
import { importActivities } from '$lib/server/activities/import';
import { ACTIVITY_CSV_HEADER } from '$lib/server/activities/activities-csv';
import { fieldErrors, refuse, refuseError } from '$lib/server/shared/form';
import { m } from '$lib/paraglide/messages.js';

const MAX_FILE_BYTES = 1024 * 1024;

export const load: PageServerLoad = (event) => {
	requireRole(event, MANAGERS);
	const season = consoleSeason();
	if (!season) return { season: null, types: [], recent: [], header: ACTIVITY_CSV_HEADER };
	const db = getDb();
	return {
		season: { id: season.id, name: season.name, timeZone: season.timeZone },
		types: listActivityTypes(db, season.id).map(({ id, key, name, points, emoji, active }) => ({
			id,
			key,
			name,
			points,
			emoji,
			active
		})),
		recent: recentActivities(db, season.id, 30),
		header: ACTIVITY_CSV_HEADER
	};
};

function currentSeason() {
	const season = consoleSeason();
	if (!season) error(404, { message: m.activities_console_no_season() });
	return season;
}

const typeValues = (form: FormData) => ({
	key: String(form.get('key') ?? ''),
	name: String(form.get('name') ?? ''),
	points: String(form.get('points') ?? ''),
	emoji: String(form.get('emoji') ?? '')
});

export const actions = {
	create: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = currentSeason();
		const values = typeValues(await event.request.formData());
		const parsed = activityTypeFields.safeParse(values);
		if (!parsed.success) {
			const errors = fieldErrors(parsed.error);
			return refuse(400, 'create', Object.values(errors)[0], { errors, values });
		}
		try {
			const row = createActivityType(getDb(), season.id, parsed.data, { userId: user.id });
			return { action: 'create' as const, message: m.activities_console_added({ name: row.name }) };
		} catch (e) {
			return refuseError(e, 'create', values);
		}
	},
	update: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = currentSeason();
		const form = await event.request.formData();
		const id = Number(form.get('id'));
		const values = { ...typeValues(form), id };
		const parsed = activityTypeFields.omit({ key: true }).safeParse(values);
		if (!parsed.success) {
			const errors = fieldErrors(parsed.error);
			return refuse(400, 'update', Object.values(errors)[0], { errors, values });
		}
		try {
			const row = updateActivityType(getDb(), season.id, id, parsed.data, { userId: user.id });
			return { action: 'update' as const, message: m.activities_console_saved({ name: row.name }) };
		} catch (e) {
			return refuseError(e, 'update', values);
		}
	},
	toggle: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = currentSeason();
		const form = await event.request.formData();
		const active = form.get('active') === 'true';
		try {
			setActivityTypeActive(getDb(), season.id, Number(form.get('id')), active, {
				userId: user.id
			});
			return {
				action: 'toggle' as const,
				message: active ? m.activities_console_on() : m.activities_console_off()
			};
		} catch (e) {
			return refuseError(e, 'toggle');
		}
	},
	import: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = currentSeason();
		const form = await event.request.formData();
		const file = form.get('file');
		const dryRun = form.get('dryRun') !== '0';
		const values = { csv: String(form.get('csv') ?? '') };
		const refuseText = (message: string) =>
			refuse(400, 'import', message, {
				values,
				problems: [{ row: null, column: null, message }]
			});
		let text = values.csv;
		if (file instanceof File && file.size > 0) {
			if (file.size > MAX_FILE_BYTES)
				return refuseText(m.products_import_too_large({ max: '1 MB' }));
			text = await file.text();
			values.csv = text.slice(0, 20_000);
		}
		if (text.trim() === '') return refuseText(m.products_import_empty());
		const report = importActivities(getDb(), season.id, text, {
			dryRun,
			actor: { userId: user.id }
		});
		if (report.errors.length > 0)
			return refuse(400, 'import', m.activities_import_refused(), {
				values,
				problems: report.errors
			});
		return { action: 'import' as const, report, dryRun, values };
	}
} satisfies Actions;
