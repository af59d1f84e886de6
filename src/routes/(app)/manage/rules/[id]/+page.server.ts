import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { consoleSeason } from '$lib/server/seasons/choice';
import { getRule } from '$lib/server/rules/queries';
import { ruleToValues } from '$lib/server/rules/rule-form';
import { ruleEditorActions, ruleEditorData } from '../rule-editor.server';
import { m } from '$lib/paraglide/messages.js';

function ruleId(raw: string): number {
	const id = Number(raw);
	if (!Number.isInteger(id) || id < 1) error(404, { message: m.rules_edit_missing() });
	return id;
}

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	const season = await consoleSeason();
	const row = season && (await getRule(getStore(), season.id, ruleId(event.params.id)));
	if (!season || !row) error(404, { message: m.rules_edit_missing() });
	return {
		...(await ruleEditorData(ruleToValues(row, season.timeZone))),
		ruleId: row.id,
		ruleName: row.name
	};
};

export const actions = ruleEditorActions((event) =>
	ruleId(event.params.id ?? '')
) satisfies Actions;
