import * as z from 'zod';
import type { RuleRow } from '../db/schema';
import { formText } from '../shared/form';
import { priceInput, priceToCents } from '../../format/money';
import { formatAt } from '../../format/dates';
import { points as pointsText } from '../../format/numbers';
import { m } from '../../paraglide/messages.js';
import {
	localDateWindow,
	RULE_NAME_MAX,
	type RuleEffect,
	type RuleTarget
} from '../../contest/rules';
import { localDateKey } from '../../contest/calendar';
import type { CatalogueItem } from '../../contest/types';

// The rule form: what a manager types (strings, so that a refused form comes back as it was
// sent), how it is read from FormData, how a stored rule fills it, and how it is checked
// against the season, its catalogue and its activity types. The sample sale beside it belongs
// to the same form.

const EFFECT_KINDS = [
	'multiplier',
	'cross_sell_multiplier',
	'cross_sell_bonus',
	'amount_bonus',
	'first_sale_bonus'
] as const satisfies readonly RuleEffect['kind'][];

const TARGET_KINDS = [
	'any',
	'category',
	'sku',
	'activity'
] as const satisfies readonly RuleTarget['kind'][];

export interface RuleValues {
	name: string;
	effect: string;
	factor: string;
	withCategory: string;
	bonusPoints: string;
	per: string;
	minAmount: string;
	targetKind: string;
	targetCategory: string;
	targetSku: string;
	/** An activity type's key, or '' for every type (with targetKind 'activity'). */
	targetActivity: string;
	from: string;
	to: string;
	dailyCap: string;
	highlight: boolean;
	active: boolean;
}

export const SAMPLE_LINES = 4;

/** The sample sale the preview scores. */
export interface SampleValues {
	lines: { sku: string; quantity: string }[];
	/** Local date and time in the season's zone, as a datetime-local input gives it. */
	at: string;
	/** Whether the sample is the seller's first sale of the day (for first-sale bonuses). */
	first: boolean;
}

/** Everything the form sends: the rule and the sample to try it on. */
export interface RuleFormValues {
	rule: RuleValues;
	sample: SampleValues;
}

/** Messages by field name: a RuleValues key, or `sample` / `sampleAt` for the sample sale. */
export type RuleErrors = Partial<Record<keyof RuleValues | 'sample' | 'sampleAt', string>>;

/** A valid rule, ready to store or to preview. */
export interface RuleDraft {
	name: string;
	active: boolean;
	highlight: boolean;
	startsAt: number | null;
	endsAt: number | null;
	target: RuleTarget;
	effect: RuleEffect;
	dailyCap: number | null;
}

export interface RuleContext {
	timeZone: string;
	catalogue: ReadonlyMap<string, CatalogueItem>;
	/** The season's activity types: name by key. */
	activityTypes: ReadonlyMap<string, string>;
	season: { startsAt: number; endsAt: number };
}

export function emptyRuleValues(): RuleValues {
	return {
		name: '',
		effect: 'multiplier',
		factor: '2',
		withCategory: '',
		bonusPoints: '10',
		per: 'unit',
		minAmount: '',
		targetKind: 'any',
		targetCategory: '',
		targetSku: '',
		targetActivity: '',
		from: '',
		to: '',
		dailyCap: '',
		highlight: true,
		active: true
	};
}

const TEXT_KEYS = [
	'name',
	'effect',
	'factor',
	'withCategory',
	'bonusPoints',
	'per',
	'minAmount',
	'targetKind',
	'targetCategory',
	'targetSku',
	'targetActivity',
	'from',
	'to',
	'dailyCap'
] as const satisfies readonly (keyof RuleValues)[];

export function readRuleForm(form: FormData): RuleFormValues {
	const rule: RuleValues = {
		...formText(form, TEXT_KEYS),
		highlight: form.get('highlight') === 'on',
		active: form.get('active') === 'on'
	};
	const lines = Array.from({ length: SAMPLE_LINES }, (_, i) => ({
		sku: String(form.get(`sampleSku${i}`) ?? ''),
		quantity: String(form.get(`sampleQty${i}`) ?? '')
	}));
	const sample = {
		lines,
		at: String(form.get('sampleAt') ?? ''),
		first: form.get('sampleFirst') === 'on'
	};
	return { rule, sample };
}

/** A stored rule as the form shows it; windows are shown as the season's local dates. */
export function ruleToValues(row: RuleRow, timeZone: string): RuleValues {
	const values = emptyRuleValues();
	const { effect, target } = row;
	values.name = row.name;
	values.effect = effect.kind;
	if ('factor' in effect) values.factor = String(effect.factor);
	if ('withCategory' in effect) values.withCategory = effect.withCategory;
	if ('points' in effect) values.bonusPoints = String(effect.points);
	if (effect.kind === 'cross_sell_bonus') values.per = effect.per;
	if (effect.kind === 'amount_bonus')
		values.minAmount = priceInput(effect.minAmount).replace(/[.,]00$/, '');
	values.targetKind = target.kind;
	if (target.kind === 'category') values.targetCategory = target.category;
	if (target.kind === 'sku') values.targetSku = target.sku;
	if (target.kind === 'activity') values.targetActivity = target.type ?? '';
	// endsAt is exclusive: the last day shown is the one before it.
	values.from = row.startsAt == null ? '' : localDateKey(row.startsAt, timeZone);
	values.to = row.endsAt == null ? '' : localDateKey(row.endsAt - 1, timeZone);
	values.dailyCap = row.dailyCap == null ? '' : String(row.dailyCap);
	values.highlight = row.highlight;
	values.active = row.active;
	return values;
}

const nameSchema = z
	.string()
	.trim()
	.min(1, { error: () => m.rules_error_name() })
	.max(RULE_NAME_MAX, { error: () => m.rules_error_name_long({ max: RULE_NAME_MAX }) });
const effectSchema = z.enum(EFFECT_KINDS, { error: () => m.rules_error_effect() });
const targetSchema = z.enum(TARGET_KINDS, { error: () => m.rules_error_target() });
const factorSchema = z
	.string()
	.trim()
	.regex(/^\d{1,2}([.,]\d{1,2})?$/, { error: () => m.rules_error_factor() })
	.transform((text) => Number(text.replace(',', '.')))
	.refine((n) => n > 1, { error: () => m.rules_error_factor_one() })
	.refine((n) => n <= 10, { error: () => m.rules_error_factor_max() });
const bonusSchema = z
	.string()
	.trim()
	.regex(/^\d+$/, { error: () => m.rules_error_bonus() })
	.transform(Number)
	.refine((n) => n >= 1 && n <= 100_000, {
		error: () => m.rules_error_bonus_range({ max: pointsText(100_000) })
	});
const capSchema = z
	.string()
	.trim()
	.transform((text, ctx) => {
		if (text === '') return null;
		if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 1_000_000) {
			ctx.addIssue({
				code: 'custom',
				message: m.rules_error_cap()
			});
			return z.NEVER;
		}
		return Number(text);
	});
const dateSchema = z
	.string()
	.trim()
	.regex(/^(\d{4}-\d{2}-\d{2})?$/, { error: () => m.rules_error_date() });

/**
 * Validates the rule form against the season and its catalogue. Errors are per field, in
 * words a manager can act on; nothing is saved while there is one.
 */
export function parseRule(
	values: RuleValues,
	ctx: RuleContext
): { ok: true; draft: RuleDraft } | { ok: false; errors: RuleErrors } {
	const errors: RuleErrors = {};
	function check<T>(key: keyof RuleValues, schema: z.ZodType<T>, value: unknown): T | undefined {
		const result = schema.safeParse(value);
		if (result.success) return result.data;
		errors[key] ??= result.error.issues[0].message;
		return undefined;
	}
	const products = [...ctx.catalogue.values()];
	const categories = new Set(products.map((p) => p.category));
	const category = (key: 'withCategory' | 'targetCategory', value: string) => {
		if (!value) errors[key] = m.rules_form_choose_category_error();
		else if (!categories.has(value)) errors[key] = m.rules_error_no_category({ category: value });
		return value;
	};

	const name = check('name', nameSchema, values.name);
	const kind = check('effect', effectSchema, values.effect);
	const targetKind = check('targetKind', targetSchema, values.targetKind);

	let target: RuleTarget | undefined;
	if (targetKind === 'any') target = { kind: 'any' };
	else if (targetKind === 'category') {
		target = { kind: 'category', category: category('targetCategory', values.targetCategory) };
	} else if (targetKind === 'sku') {
		if (!values.targetSku) errors.targetSku = m.rules_form_choose_product_error();
		else if (!ctx.catalogue.has(values.targetSku))
			errors.targetSku = m.rules_error_no_sku({ sku: values.targetSku });
		target = { kind: 'sku', sku: values.targetSku };
	} else if (targetKind === 'activity') {
		const type = values.targetActivity.trim();
		if (type && !ctx.activityTypes.has(type))
			errors.targetActivity = m.rules_error_no_activity_type({ type });
		target = type ? { kind: 'activity', type } : { kind: 'activity' };
		// Bonuses count sales, lines and amounts, which an activity has none of.
		if (kind !== undefined && kind !== 'multiplier')
			errors.effect = m.rules_error_activity_effect();
	}

	let effect: RuleEffect | undefined;
	switch (kind) {
		case 'multiplier': {
			const factor = check('factor', factorSchema, values.factor);
			if (factor !== undefined) effect = { kind, factor };
			break;
		}
		case 'cross_sell_multiplier': {
			const factor = check('factor', factorSchema, values.factor);
			const withCategory = category('withCategory', values.withCategory);
			if (factor !== undefined) effect = { kind, withCategory, factor };
			break;
		}
		case 'cross_sell_bonus': {
			const points = check('bonusPoints', bonusSchema, values.bonusPoints);
			const withCategory = category('withCategory', values.withCategory);
			const per = check(
				'per',
				z.enum(['unit', 'sale'], { error: () => m.rules_error_per() }),
				values.per
			);
			if (points !== undefined && per !== undefined) effect = { kind, withCategory, points, per };
			break;
		}
		case 'amount_bonus': {
			const points = check('bonusPoints', bonusSchema, values.bonusPoints);
			const minAmount = priceToCents(values.minAmount);
			if (minAmount === null || minAmount === 0) {
				errors.minAmount = m.rules_error_min_amount({
					whole: priceInput(50000).replace(/[.,]00$/, ''),
					cents: priceInput(49990)
				});
			} else if (points !== undefined) effect = { kind, minAmount, points };
			break;
		}
		case 'first_sale_bonus': {
			const points = check('bonusPoints', bonusSchema, values.bonusPoints);
			if (points !== undefined) effect = { kind, points };
			break;
		}
	}

	const dailyCap = check('dailyCap', capSchema, values.dailyCap);
	const from = check('from', dateSchema, values.from);
	const to = check('to', dateSchema, values.to);
	let startsAt: number | null = null;
	let endsAt: number | null = null;
	try {
		if (from) startsAt = localDateWindow(from, from, ctx.timeZone).startsAt;
	} catch {
		errors.from ??= m.rules_error_no_such_date();
	}
	try {
		if (to) endsAt = localDateWindow(to, to, ctx.timeZone).endsAt;
	} catch {
		errors.to ??= m.rules_error_no_such_date();
	}
	if (startsAt !== null && endsAt !== null && endsAt <= startsAt) {
		errors.to ??= m.rules_error_order();
	} else if (
		(startsAt !== null && startsAt >= ctx.season.endsAt) ||
		(endsAt !== null && endsAt <= ctx.season.startsAt)
	) {
		const day = (ms: number) => formatAt(ms, 'date', ctx.timeZone);
		errors[startsAt !== null && startsAt >= ctx.season.endsAt ? 'from' : 'to'] ??=
			m.rules_error_outside_season({
				from: day(ctx.season.startsAt),
				to: day(ctx.season.endsAt - 1)
			});
	}

	if (Object.keys(errors).length > 0 || !name || !target || !effect || dailyCap === undefined) {
		return {
			ok: false,
			errors: Object.keys(errors).length > 0 ? errors : { name: m.rules_error_check() }
		};
	}
	return {
		ok: true,
		draft: {
			name,
			active: values.active,
			highlight: values.highlight,
			startsAt,
			endsAt,
			target,
			effect,
			dailyCap
		}
	};
}
