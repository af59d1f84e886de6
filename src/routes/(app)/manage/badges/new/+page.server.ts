import type { Actions, PageServerLoad } from './$types';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { badgeEditorActions, badgeEditorData } from '../badge-editor.server';

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	return badgeEditorData();
};

export const actions = badgeEditorActions() satisfies Actions;
