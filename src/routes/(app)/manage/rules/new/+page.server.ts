import type { Actions, PageServerLoad } from './$types';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { ruleEditorActions, ruleEditorData } from '../rule-editor.server';

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	return ruleEditorData(undefined);
};

export const actions = ruleEditorActions() satisfies Actions;
