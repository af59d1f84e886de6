import { error, type RequestEvent } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { catalogueOf, readProducts } from '$lib/server/seasons/queries';
import { consoleSeason } from '$lib/server/seasons/choice';
import { toEngineRule } from '$lib/server/rules/engine';
import { readRules } from '$lib/server/rules/queries';
import { describeRule, ruleStatus, ruleWindowText } from '$lib/contest/rules';
import { activityTypeNames } from '$lib/server/activities/types';
import { currentCurrency } from '$lib/format/money';
import { m } from '$lib/paraglide/messages.js';
import { deleteRule, setRuleActive } from '$lib/server/rules/commands';
import { getSeasonSettings, updateSeasonSettings } from '$lib/server/seasons/settings';
import {
	readSettingsForm,
	settingsSchema,
	settingsToValues
} from '$lib/server/seasons/settings-form';
import { fieldErrors, refuse, refuseError } from '$lib/server/shared/form';
import { recalculationTotals, type Recalculation } from '$lib/server/scoring/recalculate';
import {
	previewRecalculationOn,
	recalculateOn,
	recalculationRunningOn,
	recalculationWaitMs
} from '$lib/server/scoring/recalculate-run-store';
import { log } from '$lib/server/shared/log';

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	const store = getStore();
	const season = await consoleSeason();
	if (!season)
		return {
			season: null,
			rules: [],
			settings: null,
			requireConfirmation: false,
			saved: null,
			recalculating: false
		};
	const catalogue = catalogueOf(await readProducts(store, season.id));
	const activityTypes = await activityTypeNames(store, season.id);
	const now = Date.now();
	const rules = (await readRules(store, season.id)).map((row) => ({
		id: row.id,
		name: row.name,
		active: row.active,
		highlight: row.highlight,
		status: ruleStatus(row, now),
		description: describeRule(toEngineRule(row), season.timeZone, {
			catalogue,
			activityTypes,
			currency: currentCurrency()
		}),
		window: ruleWindowText(row, season.timeZone),
		dailyCap: row.dailyCap
	}));
	const savedId = Number(event.url.searchParams.get('saved'));
	const settings = await getSeasonSettings(store, season.id);
	return {
		season: { id: season.id, name: season.name, timeZone: season.timeZone },
		rules,
		settings: settings ? settingsToValues(settings) : null,
		requireConfirmation: season.requireConfirmation,
		saved: rules.find((r) => r.id === savedId)?.name ?? null,
		recalculating: await recalculationRunningOn(store, season.id)
	};
};

async function currentSeason() {
	const season = await consoleSeason();
	if (!season) error(404, { message: m.rules_page_no_season() });
	return season;
}

async function ruleIdFrom(event: RequestEvent) {
	const form = await event.request.formData();
	return { form, id: Number(form.get('id')) };
}

/** A recalculation as the page shows it: totals and the people whose points change. */
function summary(plan: Recalculation) {
	return { ...recalculationTotals(plan), people: plan.people };
}

export const actions = {
	toggle: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = await currentSeason();
		const { form, id } = await ruleIdFrom(event);
		const active = form.get('active') === 'true';
		try {
			const row = await setRuleActive(getStore(), season.id, id, active, { userId: user.id });
			const message = active
				? m.rules_page_turned_on({ name: row.name })
				: m.rules_page_turned_off({ name: row.name });
			return { action: 'toggle', ok: true, message };
		} catch (e) {
			return refuseError(e, 'toggle');
		}
	},
	delete: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = await currentSeason();
		const { id } = await ruleIdFrom(event);
		try {
			const row = await deleteRule(getStore(), season.id, id, { userId: user.id });
			return {
				action: 'delete',
				ok: true,
				message: m.rules_page_deleted({ name: row.name })
			};
		} catch (e) {
			return refuseError(e, 'delete');
		}
	},
	plan: async (event) => {
		requireRole(event, MANAGERS);
		const season = await currentSeason();
		return { action: 'plan', plan: summary(await previewRecalculationOn(getStore(), season.id)) };
	},
	recalculate: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = await currentSeason();
		const run = recalculateOn(getStore(), season.id, { userId: user.id });
		// The run goes on whether or not this request waits for it: its failure is logged.
		run.catch((e) => log.error({ err: e, seasonId: season.id }, 'season recalculation failed'));
		let timer: ReturnType<typeof setTimeout> | undefined;
		const waited = new Promise<null>((resolve) => {
			timer = setTimeout(() => resolve(null), recalculationWaitMs());
		});
		const applied = await Promise.race([run, waited]).finally(() => clearTimeout(timer));
		if (!applied) return { action: 'recalculate', plan: null, running: true };
		return { action: 'recalculate', plan: summary(applied), running: false };
	},
	settings: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = await currentSeason();
		const values = readSettingsForm(await event.request.formData());
		const parsed = settingsSchema.safeParse(values);
		if (!parsed.success) {
			const message = m.rules_settings_refused();
			return refuse(400, 'settings', message, { errors: fieldErrors(parsed.error), values });
		}
		const { changed } = await updateSeasonSettings(getStore(), season.id, parsed.data, {
			userId: user.id
		});
		return {
			action: 'settings',
			errors: {},
			message: changed.length === 0 ? m.rules_settings_unchanged() : m.rules_settings_saved()
		};
	}
} satisfies Actions;
