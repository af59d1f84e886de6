import { error, redirect, type RequestEvent } from '@sveltejs/kit';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { listCatalogue } from '$lib/server/catalogue/products';
import { listActivityTypes } from '$lib/server/activities/types';
import { consoleSeason } from '$lib/server/seasons/choice';
import { createBadge, updateBadge, type BadgeSaved } from '$lib/server/badges/commands';
import {
	emptyBadgeValues,
	parseBadge,
	readBadgeForm,
	type BadgeValues
} from '$lib/server/badges/badge-form';
import { criteriaOptions } from '$lib/server/badges/criteria';
import { m } from '$lib/paraglide/messages.js';
import { refuse, refuseError } from '$lib/server/shared/form';

// The new and edit pages share one form and its save action. `editing` names the badge being
// edited (read after the role check); none for a new one.

async function currentSeason() {
	const season = await consoleSeason();
	if (!season) error(404, { message: m.badges_page_no_season_text() });
	return season;
}

async function categoriesOf(seasonId: number): Promise<string[]> {
	const products = await listCatalogue(getStore(), seasonId);
	return [...new Set(products.map((p) => p.category))].sort();
}

/** The season's activity types, turned off ones too: what was logged of them still counts. */
async function activityTypesOf(seasonId: number): Promise<{ key: string; name: string }[]> {
	const types = await listActivityTypes(getStore(), seasonId);
	return types.map((t) => ({ key: t.key, name: t.name }));
}

async function formContext(seasonId: number) {
	return {
		categories: await categoriesOf(seasonId),
		activityTypes: (await activityTypesOf(seasonId)).map((t) => t.key)
	};
}

export async function badgeEditorData(values?: BadgeValues) {
	const season = await currentSeason();
	return {
		season: { id: season.id, name: season.name },
		criteria: criteriaOptions(),
		categories: await categoriesOf(season.id),
		activityTypes: await activityTypesOf(season.id),
		values: values ?? emptyBadgeValues()
	};
}

export function badgeEditorActions(editing?: (event: RequestEvent) => number) {
	return {
		save: async (event: RequestEvent) => {
			const user = requireRole(event, MANAGERS);
			const editingId = editing?.(event);
			const season = await currentSeason();
			const values = readBadgeForm(await event.request.formData());
			const parsed = parseBadge(values, await formContext(season.id));
			if (!parsed.ok) {
				const message = m.rules_form_save_refused();
				return refuse(400, 'save', message, { errors: parsed.errors, values });
			}
			const store = getStore();
			let saved: BadgeSaved;
			try {
				saved =
					editingId === undefined
						? await createBadge(store, season.id, parsed.draft, { userId: user.id })
						: await updateBadge(store, season.id, editingId, parsed.draft, { userId: user.id });
			} catch (e) {
				return refuseError(e, 'save', values);
			}
			redirect(303, `/manage/badges?saved=${saved.badge.id}&awarded=${saved.awarded}`);
		}
	};
}
