import { localDateWindow, type Rule, type RuleEffect, type RuleTarget } from '$lib/contest/rules';
import type { RuleValues } from '$lib/server/rules/rule-form';
import { priceToCents } from '$lib/format/money';
import { m } from '$lib/paraglide/messages.js';

// Client side of the rule form: the choices it offers and a lenient reading of what is typed,
// for the live "in plain words" sentence. The server's parseRule stays the judge.

/** The kinds of rule, each worded in the reader's language when shown. */
export const EFFECTS: { kind: RuleEffect['kind']; title: () => string; hint: () => string }[] = [
	{ kind: 'multiplier', title: m.rules_effect_multiplier, hint: m.rules_effect_multiplier_hint },
	{
		kind: 'cross_sell_multiplier',
		title: m.rules_effect_cross_multiplier,
		hint: m.rules_effect_cross_multiplier_hint
	},
	{
		kind: 'cross_sell_bonus',
		title: m.rules_effect_cross_bonus,
		hint: m.rules_effect_cross_bonus_hint
	},
	{ kind: 'amount_bonus', title: m.rules_effect_amount, hint: m.rules_effect_amount_hint },
	{
		kind: 'first_sale_bonus',
		title: m.rules_effect_first_sale,
		hint: m.rules_effect_first_sale_hint
	}
];

const number = (text: string) => {
	const n = Number(text.trim().replace(',', '.'));
	return text.trim() !== '' && Number.isFinite(n) ? n : null;
};

/** The rule as typed so far, or null while something it needs is missing. */
export function draftFromValues(v: RuleValues, timeZone: string): Rule | null {
	let target: RuleTarget;
	if (v.targetKind === 'category') {
		if (!v.targetCategory) return null;
		target = { kind: 'category', category: v.targetCategory };
	} else if (v.targetKind === 'sku') {
		if (!v.targetSku) return null;
		target = { kind: 'sku', sku: v.targetSku };
	} else if (v.targetKind === 'activity') {
		// Activities are only multiplied: another kind has no sentence (parseRule says why).
		if (v.effect !== 'multiplier') return null;
		target = v.targetActivity ? { kind: 'activity', type: v.targetActivity } : { kind: 'activity' };
	} else target = { kind: 'any' };

	const factor = number(v.factor);
	const points = number(v.bonusPoints);
	let effect: RuleEffect;
	switch (v.effect) {
		case 'multiplier':
			if (factor === null) return null;
			effect = { kind: 'multiplier', factor };
			break;
		case 'cross_sell_multiplier':
			if (factor === null || !v.withCategory) return null;
			effect = { kind: 'cross_sell_multiplier', factor, withCategory: v.withCategory };
			break;
		case 'cross_sell_bonus':
			if (points === null || !v.withCategory) return null;
			effect = {
				kind: 'cross_sell_bonus',
				points,
				withCategory: v.withCategory,
				per: v.per === 'sale' ? 'sale' : 'unit'
			};
			break;
		case 'amount_bonus': {
			const minAmount = priceToCents(v.minAmount);
			if (points === null || minAmount === null) return null;
			effect = { kind: 'amount_bonus', points, minAmount };
			break;
		}
		case 'first_sale_bonus':
			if (points === null) return null;
			effect = { kind: 'first_sale_bonus', points };
			break;
		default:
			return null;
	}

	let startsAt: number | null = null;
	let endsAt: number | null = null;
	try {
		if (v.from) startsAt = localDateWindow(v.from, v.from, timeZone).startsAt;
		if (v.to) endsAt = localDateWindow(v.to, v.to, timeZone).endsAt;
	} catch {
		return null;
	}
	const cap = number(v.dailyCap);
	return { id: 0, name: v.name, active: v.active, startsAt, endsAt, target, effect, dailyCap: cap };
}
