import type { Actions, PageServerLoad } from './$types';
import { MANAGERS, requireRole } from '$lib/server/guards';
import { ruleFormActions, ruleFormData } from '../rule-form.server';

export const load: PageServerLoad = (event) => {
	requireRole(event, MANAGERS);
	return ruleFormData(undefined);
};

export const actions = ruleFormActions() satisfies Actions;
