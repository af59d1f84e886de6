import { error, redirect, type RequestEvent } from '@sveltejs/kit';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { readProducts } from '$lib/server/seasons/queries';
import { consoleSeason } from '$lib/server/seasons/choice';
import { createRule, updateRule } from '$lib/server/rules/commands';
import { previewRule, startingSample, type PricedItem } from '$lib/server/rules/preview';
import {
	emptyRuleValues,
	parseRule,
	readRuleForm,
	type RuleFormValues,
	type RuleValues
} from '$lib/server/rules/rule-form';
import { refuse, refuseError } from '$lib/server/shared/form';
import { listActivityTypes } from '$lib/server/activities/types';
import { m } from '$lib/paraglide/messages.js';

// The create and edit pages share one form and its two actions: preview (nothing saved) and
// save. `editing` names the rule being edited (read after the role check); none for a new one.

async function currentSeason() {
	const season = await consoleSeason();
	if (!season) error(404, { message: m.rules_page_no_season() });
	return season;
}

/** The season's activity types, inactive ones too: a rule may still target one. */
async function typesFor(seasonId: number) {
	return (await listActivityTypes(getStore(), seasonId)).map(
		({ key, name, emoji, points, active }) => ({
			key,
			name,
			emoji,
			points,
			active
		})
	);
}

async function catalogueFor(seasonId: number) {
	const products = await readProducts(getStore(), seasonId);
	const catalogue = new Map<string, PricedItem>(products.map((p) => [p.sku, p]));
	return { products, catalogue };
}

export async function ruleEditorData(rule: RuleValues | undefined) {
	const season = await currentSeason();
	const { products } = await catalogueFor(season.id);
	const activityTypes = await typesFor(season.id);
	const values: RuleFormValues = {
		rule: rule ?? emptyRuleValues(),
		sample: startingSample(rule, season.timeZone)
	};
	return {
		season: { id: season.id, name: season.name, timeZone: season.timeZone },
		products: products.map(({ sku, name, category, points, price, active }) => ({
			sku,
			name,
			category,
			points,
			price,
			active
		})),
		categories: [...new Set(products.map((p) => p.category))].sort(),
		activityTypes,
		values
	};
}

export function ruleEditorActions(editing?: (event: RequestEvent) => number) {
	async function read(event: RequestEvent) {
		const user = requireRole(event, MANAGERS);
		const editingId = editing?.(event);
		const season = await currentSeason();
		const values = readRuleForm(await event.request.formData());
		const { catalogue } = await catalogueFor(season.id);
		const activityTypes = await typesFor(season.id);
		const parsed = parseRule(values.rule, {
			timeZone: season.timeZone,
			catalogue,
			activityTypes: new Map(activityTypes.map((t) => [t.key, t.name])),
			season
		});
		return { user, editingId, season, catalogue, activityTypes, parsed, values };
	}

	return {
		preview: async (event: RequestEvent) => {
			const { editingId, season, catalogue, activityTypes, parsed, values } = await read(event);
			if (!parsed.ok) {
				const message = m.rules_form_preview_refused();
				return refuse(400, 'preview', message, { errors: parsed.errors, values });
			}
			const result = await previewRule(
				getStore(),
				season.id,
				season.timeZone,
				catalogue,
				parsed.draft,
				values.sample,
				{ editingId, activityTypes }
			);
			if (!result.ok) {
				// The sample's own message shows beside the sample, not at the top of the form.
				const message = result.errors.sample ?? result.errors.sampleAt ?? '';
				return refuse(400, 'preview', message, { errors: result.errors, values });
			}
			const { preview } = result;
			return {
				action: 'preview',
				message: '',
				errors: {},
				values: { ...values, sample: preview.sample },
				preview
			};
		},
		save: async (event: RequestEvent) => {
			const { user, editingId, season, parsed, values } = await read(event);
			if (!parsed.ok) {
				const message = m.rules_form_save_refused();
				return refuse(400, 'save', message, { errors: parsed.errors, values });
			}
			const store = getStore();
			let id: number;
			try {
				const actor = { userId: user.id };
				id = (
					editingId === undefined
						? await createRule(store, season.id, parsed.draft, actor)
						: await updateRule(store, season.id, editingId, parsed.draft, actor)
				).id;
			} catch (e) {
				return refuseError(e, 'save', values);
			}
			redirect(303, `/manage/rules?saved=${id}`);
		}
	};
}
