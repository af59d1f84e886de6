import type { Actions, PageServerLoad } from './$types';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { badgeFormActions, badgeFormData } from '$lib/server/badges/badge-form';

export const load: PageServerLoad = (event) => {
	requireRole(event, MANAGERS);
	return badgeFormData();
};

export const actions = badgeFormActions() satisfies Actions;
