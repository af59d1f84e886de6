import { error } from '@sveltejs/kit';
import * as z from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { consoleSeason } from '$lib/server/seasons/choice';
import {
	activityTypeFields,
	createActivityType,
	listActivityTypes,
	setActivityTypeActive,
	updateActivityType
} from '$lib/server/activities/types';
import { activityInSeason, activityLog, activityPeople } from '$lib/server/activities/queries';
import { importActivities } from '$lib/server/activities/import';
import { ACTIVITY_CSV_HEADER } from '$lib/server/activities/activities-csv';
import { voidActivity } from '$lib/server/activities/void';
import { voidFormSchema } from '$lib/server/activities/void-form';
import { fieldErrors, formText, parseForm, refuse, refuseError } from '$lib/server/shared/form';
import { graceEndsAt } from '$lib/contest/calendar';
import { m } from '$lib/paraglide/messages.js';

const MAX_FILE_BYTES = 1024 * 1024;

// The list's filter and page, from the URL (a shared link shows the same list); nonsense is ignored.
const logQuerySchema = z.object({
	person: z.coerce.number().int().positive().optional().catch(undefined),
	type: z.coerce.number().int().positive().optional().catch(undefined),
	page: z.coerce.number().int().min(1).max(100_000).catch(1)
});

export const load: PageServerLoad = async (event) => {
	const user = requireRole(event, MANAGERS);
	const season = await consoleSeason();
	if (!season) return { season: null, types: [], log: null, header: ACTIVITY_CSV_HEADER };
	const q = event.url.searchParams;
	const query = logQuerySchema.parse({
		person: q.get('person') ?? undefined,
		type: q.get('type') ?? undefined,
		page: q.get('page') ?? 1
	});
	return {
		season: {
			id: season.id,
			name: season.name,
			timeZone: season.timeZone,
			// Voiding stops where reversing sales does: once the results are final.
			voidable: season.status !== 'archived' && Date.now() < graceEndsAt(season)
		},
		types: (await listActivityTypes(getStore(), season.id)).map(
			({ id, key, name, points, emoji, active }) => ({
				id,
				key,
				name,
				points,
				emoji,
				active
			})
		),
		log: {
			...(await activityLog(getStore(), season.id, {
				userId: query.person,
				typeId: query.type,
				page: query.page
			})),
			person: query.person ?? null,
			type: query.type ?? null,
			people: await activityPeople(getStore(), season.id),
			me: user.id
		},
		header: ACTIVITY_CSV_HEADER
	};
};

async function currentSeason() {
	const season = await consoleSeason();
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
		const season = await currentSeason();
		const values = typeValues(await event.request.formData());
		const parsed = activityTypeFields.safeParse(values);
		if (!parsed.success) {
			const errors = fieldErrors(parsed.error);
			return refuse(400, 'create', Object.values(errors)[0], { errors, values });
		}
		try {
			const row = await createActivityType(getStore(), season.id, parsed.data, { userId: user.id });
			return { action: 'create' as const, message: m.activities_console_added({ name: row.name }) };
		} catch (e) {
			return refuseError(e, 'create', values);
		}
	},
	update: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = await currentSeason();
		const form = await event.request.formData();
		const id = Number(form.get('id'));
		const values = { ...typeValues(form), id };
		const parsed = activityTypeFields.omit({ key: true }).safeParse(values);
		if (!parsed.success) {
			const errors = fieldErrors(parsed.error);
			return refuse(400, 'update', Object.values(errors)[0], { errors, values });
		}
		try {
			const row = await updateActivityType(getStore(), season.id, id, parsed.data, {
				userId: user.id
			});
			return { action: 'update' as const, message: m.activities_console_saved({ name: row.name }) };
		} catch (e) {
			return refuseError(e, 'update', values);
		}
	},
	toggle: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = await currentSeason();
		const form = await event.request.formData();
		const active = form.get('active') === 'true';
		try {
			await setActivityTypeActive(getStore(), season.id, Number(form.get('id')), active, {
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
	void: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = await currentSeason();
		const values = formText(await event.request.formData(), ['activityId', 'reason']);
		const parsed = parseForm(voidFormSchema, values, 'void', values);
		if (!parsed.ok) return parsed.failure;
		// The form names an activity; the server checks it is one of the season on this page.
		const target = await activityInSeason(getStore(), season.id, parsed.data.activityId);
		if (!target)
			return refuse(
				404,
				'void',
				m.activities_void_error_elsewhere({ id: parsed.data.activityId }),
				{
					values
				}
			);
		try {
			const result = await voidActivity(getStore(), target.id, {
				actor: { userId: user.id },
				reason: parsed.data.reason
			});
			return {
				action: 'void' as const,
				message: result.changed
					? m.activities_void_done({ id: target.id, name: target.userName })
					: m.activities_void_already({ id: target.id })
			};
		} catch (e) {
			return refuseError(e, 'void', values);
		}
	},
	import: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = await currentSeason();
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
		const report = await importActivities(getStore(), season.id, text, {
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
