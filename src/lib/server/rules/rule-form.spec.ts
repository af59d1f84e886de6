import { describe, expect, it } from 'vitest';
import { emptyRuleValues, parseRule, type RuleValues } from './rule-form';
import { crossSell, ctx, values } from './spec-fixtures';

describe('parseRule: valid forms', () => {
	const cases: { name: string; values: RuleValues; expected: Record<string, unknown> }[] = [
		{
			name: 'cross-sell multiplier on a category',
			values: crossSell,
			expected: {
				effect: { kind: 'cross_sell_multiplier', withCategory: 'Accessories', factor: 3 },
				target: { kind: 'category', category: 'Phones' },
				startsAt: null,
				endsAt: null,
				dailyCap: null
			}
		},
		{
			name: 'multiplier with a decimal comma on one SKU',
			values: values({
				effect: 'multiplier',
				factor: '1,5',
				targetKind: 'sku',
				targetSku: 'PH-PRO'
			}),
			expected: {
				effect: { kind: 'multiplier', factor: 1.5 },
				target: { kind: 'sku', sku: 'PH-PRO' }
			}
		},
		{
			name: 'cross-sell bonus once per sale',
			values: values({
				effect: 'cross_sell_bonus',
				bonusPoints: '15',
				per: 'sale',
				withCategory: 'Accessories'
			}),
			expected: {
				effect: { kind: 'cross_sell_bonus', withCategory: 'Accessories', points: 15, per: 'sale' }
			}
		},
		{
			name: 'amount bonus in main units, stored in cents',
			values: values({ effect: 'amount_bonus', bonusPoints: '25', minAmount: '999.50' }),
			expected: { effect: { kind: 'amount_bonus', minAmount: 99950, points: 25 } }
		},
		{
			name: 'first sale bonus with a daily cap',
			values: values({ effect: 'first_sale_bonus', bonusPoints: '5', dailyCap: '5' }),
			expected: { effect: { kind: 'first_sale_bonus', points: 5 }, dailyCap: 5 }
		},
		{
			name: 'window of local dates, both days included (DST ends on 25 October)',
			values: { ...crossSell, from: '2026-10-24', to: '2026-10-25' },
			expected: { startsAt: Date.UTC(2026, 9, 23, 22), endsAt: Date.UTC(2026, 9, 25, 23) }
		},
		{
			name: 'open-ended window',
			values: { ...crossSell, from: '2026-11-01' },
			expected: { startsAt: Date.UTC(2026, 9, 31, 23), endsAt: null }
		},
		{
			name: 'multiplier on one activity type, capped',
			values: values({
				factor: '2',
				targetKind: 'activity',
				targetActivity: 'demo',
				dailyCap: '30'
			}),
			expected: {
				effect: { kind: 'multiplier', factor: 2 },
				target: { kind: 'activity', type: 'demo' },
				dailyCap: 30
			}
		},
		{
			name: 'multiplier on every activity type',
			values: values({ factor: '3', targetKind: 'activity', targetActivity: '' }),
			expected: { effect: { kind: 'multiplier', factor: 3 }, target: { kind: 'activity' } }
		}
	];
	it.each(cases)('$name', ({ values, expected }) => {
		const result = parseRule(values, ctx);
		expect(result.ok).toBe(true);
		if (result.ok) expect(result.draft).toMatchObject(expected);
	});
});

describe('parseRule: refused forms say which field and why', () => {
	const cases: { name: string; values: RuleValues; errors: Record<string, string> }[] = [
		{
			name: 'no name',
			values: { ...crossSell, name: '  ' },
			errors: { name: 'Give the rule a name, e.g. "Triple points on phones with an accessory"' }
		},
		{
			name: 'factor of 1',
			values: { ...crossSell, factor: '1' },
			errors: { factor: 'The factor must be more than 1: ×1 changes nothing' }
		},
		{
			name: 'factor not a number',
			values: { ...crossSell, factor: 'x3' },
			errors: { factor: 'Enter the factor as a number, e.g. 2 for double points' }
		},
		{
			name: 'no companion category',
			values: { ...crossSell, withCategory: '' },
			errors: { withCategory: 'Choose a category' }
		},
		{
			name: 'unknown category',
			values: { ...crossSell, targetCategory: 'Cars' },
			errors: { targetCategory: 'No product in the catalogue has the category "Cars"' }
		},
		{
			name: 'unknown SKU',
			values: { ...crossSell, targetKind: 'sku', targetSku: 'NOPE' },
			errors: { targetSku: 'SKU NOPE is not in the catalogue' }
		},
		{
			name: 'bonus of 0',
			values: values({ effect: 'first_sale_bonus', bonusPoints: '0' }),
			errors: { bonusPoints: 'The bonus must be from 1 to 100,000 points' }
		},
		{
			name: 'amount missing',
			values: values({ effect: 'amount_bonus', minAmount: '' }),
			errors: { minAmount: 'Enter the minimum sale amount, e.g. 500 or 499.90' }
		},
		{
			name: 'cap not a number',
			values: { ...crossSell, dailyCap: '-3' },
			errors: {
				dailyCap: 'The cap must be a whole number of points (1 or more), or empty for none'
			}
		},
		{
			name: 'last day before first day',
			values: { ...crossSell, from: '2026-11-10', to: '2026-11-01' },
			errors: { to: 'The last day must be on or after the first day' }
		},
		{
			name: 'no such date',
			values: { ...crossSell, from: '2026-02-30' },
			errors: { from: 'This date does not exist' }
		},
		{
			name: 'window after the season',
			values: { ...crossSell, from: '2027-01-05' },
			errors: { from: 'The season runs 1 Oct 2026 – 31 Dec 2026: these dates are outside it' }
		},
		{
			name: 'a bonus on activities',
			values: values({ effect: 'first_sale_bonus', bonusPoints: '5', targetKind: 'activity' }),
			errors: { effect: 'Activities can only be multiplied: choose Multiplier, or target products' }
		},
		{
			name: 'a cross-sell multiplier on activities',
			values: { ...crossSell, targetKind: 'activity' },
			errors: { effect: 'Activities can only be multiplied: choose Multiplier, or target products' }
		},
		{
			name: 'unknown activity type',
			values: values({ targetKind: 'activity', targetActivity: 'lunch' }),
			errors: { targetActivity: 'The season has no activity type “lunch”' }
		},
		{
			name: 'unknown target',
			values: values({ targetKind: 'everything' }),
			errors: { targetKind: 'Choose which products or activities the rule applies to' }
		},
		{
			name: 'unknown effect',
			values: { ...crossSell, effect: 'lottery' },
			errors: { effect: 'Choose what the rule does' }
		}
	];
	it.each(cases)('$name', ({ values, errors }) => {
		expect(parseRule(values, ctx)).toEqual({ ok: false, errors });
	});
});

describe('a new rule', () => {
	it('starts as a plain ×2 multiplier on every product (not a cross-sell)', () => {
		expect(emptyRuleValues()).toMatchObject({
			effect: 'multiplier',
			factor: '2',
			targetKind: 'any'
		});
		const parsed = parseRule(values({ name: 'Double points' }), ctx);
		expect(parsed).toMatchObject({
			ok: true,
			draft: { effect: { kind: 'multiplier', factor: 2 }, target: { kind: 'any' } }
		});
	});

	it('refuses a 5,000-character name with a clear message', () => {
		const parsed = parseRule(values({ name: 'x'.repeat(5000) }), ctx);
		expect(parsed.ok).toBe(false);
		if (!parsed.ok) expect(parsed.errors.name).toBe('Keep the name under 80 characters');
	});
});
