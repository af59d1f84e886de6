import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { consoleSeason } from '$lib/server/seasons/choice';
import { badgeToValues } from '$lib/server/badges/badge-form';
import { getSeasonBadge } from '$lib/server/badges/queries';
import { badgeEditorActions, badgeEditorData } from '../badge-editor.server';
import { m } from '$lib/paraglide/messages.js';

function badgeId(raw: string): number {
	const id = Number(raw);
	if (!Number.isInteger(id) || id < 1) error(404, { message: m.badges_edit_missing() });
	return id;
}

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	const season = await consoleSeason();
	const row = season && (await getSeasonBadge(getStore(), season.id, badgeId(event.params.id)));
	if (!season || !row) error(404, { message: m.badges_edit_missing() });
	return { ...(await badgeEditorData(badgeToValues(row))), badgeId: row.id, badgeName: row.name };
};

export const actions = badgeEditorActions((event) =>
	badgeId(event.params.id ?? '')
) satisfies Actions;
