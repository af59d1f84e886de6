import type { Actions, PageServerLoad } from './$types';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { ruleFormActions, ruleFormData } from '$lib/server/rules/rule-form';

export const load: PageServerLoad = (event) => {
	requireRole(event, MANAGERS);
	return ruleFormData(undefined);
};

export const actions = ruleFormActions() satisfies Actions;
