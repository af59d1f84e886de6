import type { Actions, PageServerLoad } from './$types';
import { retryWhenBusy } from '$lib/server/db';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { consoleSeasons } from '$lib/server/rewards/catalogue';
import { getStore } from '$lib/server/db/store';
import { readDivisions, membersWithDivision } from '$lib/server/divisions/standings';
import {
	deleteDivision,
	moveMember,
	placeAutomatically,
	saveDivision
} from '$lib/server/divisions/commands';
import {
	deleteFormSchema,
	divisionFormSchema,
	divisionFormValues,
	moveFormSchema,
	placeFormSchema
} from '$lib/server/divisions/division-form';
import { formText, parseForm, refuseError } from '$lib/server/shared/form';
import { m } from '$lib/paraglide/messages.js';

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	const store = getStore();
	const seasons = await consoleSeasons(store);
	const asked = Number(event.url.searchParams.get('season'));
	const seasonId = seasons.find((s) => s.id === asked)?.id ?? seasons[0]?.id ?? null;
	return {
		seasons,
		seasonId,
		divisions: seasonId ? await readDivisions(store, seasonId) : [],
		members: seasonId ? await membersWithDivision(store, seasonId) : []
	};
};

export const actions: Actions = {
	save: async (event) => {
		const user = requireRole(event, MANAGERS);
		const values = divisionFormValues(await event.request.formData());
		const parsed = parseForm(divisionFormSchema, values, 'save', values);
		if (!parsed.ok) return parsed.failure;
		try {
			await retryWhenBusy(() =>
				saveDivision(getStore(), parsed.data, { userId: user.id }, Date.now())
			);
			return { action: 'save' as const, success: true as const, message: m.divisions_saved() };
		} catch (error) {
			return refuseError(error, 'save', values);
		}
	},
	delete: async (event) => {
		const user = requireRole(event, MANAGERS);
		const parsed = parseForm(
			deleteFormSchema,
			formText(await event.request.formData(), ['id']),
			'delete'
		);
		if (!parsed.ok) return parsed.failure;
		try {
			await retryWhenBusy(() =>
				deleteDivision(getStore(), parsed.data.id, { userId: user.id }, Date.now())
			);
			return { action: 'delete' as const, success: true as const, message: m.divisions_deleted() };
		} catch (error) {
			return refuseError(error, 'delete');
		}
	},
	place: async (event) => {
		const user = requireRole(event, MANAGERS);
		const values = formText(await event.request.formData(), ['seasonId', 'method']);
		const parsed = parseForm(placeFormSchema, values, 'place', values);
		if (!parsed.ok) return parsed.failure;
		try {
			const n = await retryWhenBusy(() =>
				placeAutomatically(
					getStore(),
					parsed.data.seasonId,
					parsed.data.method,
					{ userId: user.id },
					Date.now()
				)
			);
			return {
				action: 'place' as const,
				success: true as const,
				message: m.divisions_placed({ n })
			};
		} catch (error) {
			return refuseError(error, 'place', values);
		}
	},
	move: async (event) => {
		const user = requireRole(event, MANAGERS);
		const values = formText(await event.request.formData(), ['seasonId', 'userId', 'divisionId']);
		const parsed = parseForm(moveFormSchema, values, 'move', values);
		if (!parsed.ok) return parsed.failure;
		try {
			await retryWhenBusy(() =>
				moveMember(getStore(), parsed.data, { userId: user.id }, Date.now())
			);
			return { action: 'move' as const, success: true as const, message: m.divisions_moved() };
		} catch (error) {
			return refuseError(error, 'move', values);
		}
	}
};
