import { error, fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { listProducts } from '$lib/server/seasons/queries';
import { consoleSeason } from '$lib/server/seasons/choice';
import {
	createRule,
	emptyRuleValues,
	localDateTimeValue,
	parseRule,
	previewRule,
	readRuleValues,
	readSampleValues,
	RuleAdminError,
	updateRule,
	SAMPLE_LINES,
	type PricedItem,
	type RuleErrors,
	type RulePreview,
	type RuleValues,
	type SampleErrors,
	type SampleValues
} from '$lib/server/rules/admin';

// The create and edit pages share one form and its two actions: preview (nothing saved) and
// save. `editing` names the rule being edited (read after the role check); none for a new one.

function currentSeason() {
	const season = consoleSeason();
	if (!season) error(404, { message: 'No season is live, so there are no rules to manage.' });
	return season;
}

function catalogueFor(seasonId: number) {
	const products = listProducts(getDb(), seasonId);
	const catalogue = new Map<string, PricedItem>(products.map((p) => [p.sku, p]));
	return { products, catalogue };
}

/** Now, or noon of the rule's first or last day when now is outside its dates. */
function sampleTime(values: RuleValues | undefined, timeZone: string): string {
	const now = localDateTimeValue(Date.now(), timeZone);
	const today = now.slice(0, 10);
	if (values?.from && today < values.from) return `${values.from}T12:00`;
	if (values?.to && today > values.to) return `${values.to}T12:00`;
	return now;
}

export function ruleFormData(values: RuleValues | undefined) {
	const season = currentSeason();
	const { products } = catalogueFor(season.id);
	const sample: SampleValues = {
		lines: Array.from({ length: SAMPLE_LINES }, () => ({ sku: '', quantity: '' })),
		at: sampleTime(values, season.timeZone),
		first: true
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
		values: values ?? emptyRuleValues(),
		sample
	};
}

/** The shape every answer of the form has, so the page can read it without narrowing. */
interface FormAnswer {
	values: RuleValues;
	sample: SampleValues;
	errors: RuleErrors;
	sampleErrors: SampleErrors;
	preview: RulePreview | null;
	message: string | null;
}

export function ruleFormActions(editing?: (event: RequestEvent) => number) {
	async function read(event: RequestEvent) {
		const user = requireRole(event, MANAGERS);
		const editingId = editing?.(event);
		const season = currentSeason();
		const form = await event.request.formData();
		const values = readRuleValues(form);
		const sample = readSampleValues(form);
		const { catalogue } = catalogueFor(season.id);
		const parsed = parseRule(values, { timeZone: season.timeZone, catalogue, season });
		const answer: FormAnswer = {
			values,
			sample,
			errors: {},
			sampleErrors: {},
			preview: null,
			message: null
		};
		return { user, editingId, season, catalogue, parsed, answer };
	}

	return {
		preview: async (event: RequestEvent) => {
			const { editingId, season, catalogue, parsed, answer } = await read(event);
			if (!parsed.ok) {
				return fail(400, {
					...answer,
					errors: parsed.errors,
					message: 'Fix the highlighted fields to see a preview.'
				});
			}
			const result = previewRule(
				getDb(),
				season.id,
				season.timeZone,
				catalogue,
				parsed.draft,
				answer.sample,
				{ editingId }
			);
			if (!result.ok) return fail(400, { ...answer, sampleErrors: result.errors, message: null });
			return { ...answer, sample: result.preview.sample, preview: result.preview };
		},
		save: async (event: RequestEvent) => {
			const { user, editingId, season, parsed, answer } = await read(event);
			if (!parsed.ok) {
				return fail(400, {
					...answer,
					errors: parsed.errors,
					message: 'Nothing was saved: fix the highlighted fields.'
				});
			}
			const db = getDb();
			let id: number;
			try {
				id =
					editingId === undefined
						? createRule(db, season.id, parsed.draft, { userId: user.id }).id
						: updateRule(db, season.id, editingId, parsed.draft, { userId: user.id }).id;
			} catch (e) {
				if (e instanceof RuleAdminError) return fail(404, { ...answer, message: e.message });
				throw e;
			}
			redirect(303, `/manage/rules?saved=${id}`);
		}
	};
}
