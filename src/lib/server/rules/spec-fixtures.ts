// The season, catalogue and rule the rule specs share.
import { emptyRuleValues, type RuleContext, type RuleValues } from './rule-form';
import type { PricedItem } from './preview';

export const TZ = 'Europe/Warsaw';
export const items: PricedItem[] = [
	{
		sku: 'PH-PRO',
		name: 'Phone Pro 15',
		category: 'Phones',
		points: 50,
		price: 109900,
		active: true
	},
	{
		sku: 'CASE',
		name: 'Rugged Case',
		category: 'Accessories',
		points: 5,
		price: 3900,
		active: true
	},
	{ sku: 'OLD', name: 'Old Phone', category: 'Phones', points: 10, price: 100, active: false }
];
export const catalogue = new Map(items.map((p) => [p.sku, p]));
// The season: 1 October – 31 December 2026, Warsaw time.
export const seasonWindow = {
	startsAt: Date.UTC(2026, 8, 30, 22),
	endsAt: Date.UTC(2026, 11, 31, 23)
};
export const activityTypes = new Map([
	['call', 'Customer call'],
	['demo', 'Product demo']
]);
export const ctx: RuleContext = { timeZone: TZ, catalogue, activityTypes, season: seasonWindow };
export const values = (patch: Partial<RuleValues>): RuleValues => ({
	...emptyRuleValues(),
	name: 'Campaign',
	...patch
});
export const crossSell = values({
	name: 'Triple points on phones with an accessory',
	effect: 'cross_sell_multiplier',
	factor: '3',
	withCategory: 'Accessories',
	targetKind: 'category',
	targetCategory: 'Phones'
});
