import type { Actions, PageServerLoad } from './$types';
import { MANAGERS, requireRole } from '$lib/server/guards';
import { badgeFormActions, badgeFormData } from '../badge-form.server';

export const load: PageServerLoad = (event) => {
	requireRole(event, MANAGERS);
	return badgeFormData();
};

export const actions = badgeFormActions() satisfies Actions;
