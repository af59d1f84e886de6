// Rules and badge criteria are read in the reader's language, with the plural form each number
// needs: Russian and Polish have one form for 1 (and 21 in Russian), one for 2–4, one for 5–20.
import { describe, expect, it } from 'vitest';
import { describeCriterion } from './badges';
import { breakdownLabel } from './breakdown-words';
import { describeRule, localDateWindow, type Rule } from './rules';

const TZ = 'Europe/Warsaw';
const rule = (extra: Partial<Rule>): Rule => ({
	id: 1,
	name: 'Campaign',
	active: true,
	target: { kind: 'any' },
	effect: { kind: 'first_sale_bonus', points: 1 },
	...extra
});

describe('a badge criterion in ru and pl', () => {
	it.each([
		{ days: 2, ru: 'Продажи 2 рабочих дня подряд', pl: 'Sprzedaż przez 2 dni robocze z rzędu' },
		{ days: 5, ru: 'Продажи 5 рабочих дней подряд', pl: 'Sprzedaż przez 5 dni roboczych z rzędu' },
		{
			days: 21,
			ru: 'Продажи 21 рабочий день подряд',
			pl: 'Sprzedaż przez 21 dni roboczych z rzędu'
		}
	])('a streak of $days days', ({ days, ru, pl }) => {
		expect(describeCriterion({ kind: 'streak', days }, 'ru')).toBe(ru);
		expect(describeCriterion({ kind: 'streak', days }, 'pl')).toBe(pl);
	});

	it.each([
		{ count: 1, ru: '1 продажа', pl: '1 sprzedaż' },
		{ count: 3, ru: '3 продажи', pl: '3 sprzedaże' },
		{ count: 12, ru: '12 продаж', pl: '12 sprzedaży' },
		{ count: 22, ru: '22 продажи', pl: '22 sprzedaże' }
	])('$count sales', ({ count, ru, pl }) => {
		expect(describeCriterion({ kind: 'sales_count', count }, 'ru')).toBe(ru);
		expect(describeCriterion({ kind: 'sales_count', count }, 'pl')).toBe(pl);
	});

	it('quotes a category as the manager wrote it', () => {
		const criterion = { kind: 'sales_count', count: 5, category: 'Phones' } as const;
		expect(describeCriterion(criterion, 'ru')).toBe('5 продаж в категории «Phones»');
		expect(describeCriterion(criterion, 'pl')).toBe('5 sprzedaży w kategorii „Phones”');
	});
});

describe('a rule in ru and pl', () => {
	it.each([
		{ n: 1, ru: '+1 балл за первую продажу дня', pl: '+1 punkt za pierwszą sprzedaż dnia' },
		{ n: 2, ru: '+2 балла за первую продажу дня', pl: '+2 punkty za pierwszą sprzedaż dnia' },
		{ n: 5, ru: '+5 баллов за первую продажу дня', pl: '+5 punktów za pierwszą sprzedaż dnia' },
		{ n: 21, ru: '+21 балл за первую продажу дня', pl: '+21 punktów za pierwszą sprzedaż dnia' }
	])('+$n points', ({ n, ru, pl }) => {
		const r = rule({ effect: { kind: 'first_sale_bonus', points: n } });
		expect(describeRule(r, TZ, { locale: 'ru' })).toBe(ru);
		expect(describeRule(r, TZ, { locale: 'pl' })).toBe(pl);
	});

	it('says a cross-sell, its dates and its daily cap as one sentence', () => {
		const r = rule({
			target: { kind: 'sku', sku: 'HS-PRO' },
			effect: { kind: 'cross_sell_multiplier', withCategory: 'accessory', factor: 3 },
			dailyCap: 1200,
			...localDateWindow('2026-03-01', '2026-03-15', TZ)
		});
		const catalogue = new Map([
			[
				'HS-PRO',
				{ sku: 'HS-PRO', name: 'Headset Pro', category: 'audio', points: 40, active: true }
			]
		]);
		expect(describeRule(r, TZ, { catalogue, locale: 'ru' })).toBe(
			'Тройные баллы за Headset Pro, если в том же чеке есть товар категории «accessory», 1–15 марта (не более 1\u00a0200 баллов в день)'
		);
		expect(describeRule(r, TZ, { catalogue, locale: 'pl' })).toBe(
			'Potrójne punkty za Headset Pro, gdy na tym samym paragonie jest produkt z kategorii „accessory”, 1–15 marca (maks. 1200 punktów dziennie)'
		);
	});

	it('reads amounts and factors the way the language writes numbers', () => {
		const r = rule({ effect: { kind: 'multiplier', factor: 1.5 } });
		expect(describeRule(r, TZ, { locale: 'ru' })).toBe('Баллы ×1,5 за все товары');
		const amount = rule({ effect: { kind: 'amount_bonus', minAmount: 150_050, points: 50 } });
		expect(describeRule(amount, TZ, { locale: 'pl', currency: 'PLN' })).toBe(
			'+50 punktów za sprzedaż o wartości co najmniej 1500,50\u00a0zł'
		);
	});
});

describe('a breakdown item in ru and pl', () => {
	it('is worded from its data, and older English-only items are shown as stored', () => {
		const item = {
			label: 'Week: ×2 on Phone X (daily cap)',
			points: 40,
			ruleId: 1,
			words: { kind: 'multiplier', rule: 'Week', factor: 2, product: 'Phone X', cap: 'partial' }
		} as const;
		expect(breakdownLabel(item, 'ru')).toBe('Week: ×2 за Phone X (дневной лимит)');
		expect(breakdownLabel(item, 'pl')).toBe('Week: ×2 za Phone X (limit dzienny)');
		expect(breakdownLabel(item, 'en')).toBe(item.label);
		expect(breakdownLabel({ label: 'Old: ×2 on Phone X', points: 5 }, 'ru')).toBe(
			'Old: ×2 on Phone X'
		);
	});
});

describe('an activity rule in every language', () => {
	const week = localDateWindow('2026-03-09', '2026-03-13', TZ);
	const types = new Map([['demo', 'Product demo']]);
	it.each([
		{
			locale: 'en' as const,
			any: 'Triple points on every activity',
			type: 'Double points on every “Product demo” logged, 9–13 March (up to 30 points a day)'
		},
		{
			locale: 'nl' as const,
			any: 'Driedubbele punten op elke activiteit',
			type: 'Dubbele punten op elke geregistreerde ‘Product demo’'
		},
		{
			locale: 'ru' as const,
			any: 'Тройные баллы за любую активность',
			type: 'Двойные баллы за каждую активность «Product demo»'
		},
		{
			locale: 'sv' as const,
			any: 'Tredubbla poäng på varje aktivitet',
			type: 'Dubbla poäng på varje loggad ”Product demo”'
		},
		{
			locale: 'pl' as const,
			any: 'Potrójne punkty za każdą aktywność',
			type: 'Podwójne punkty za każdą aktywność „Product demo”'
		},
		{
			locale: 'fr' as const,
			any: 'Points triplés sur chaque activité',
			type: 'Points doublés sur chaque activité « Product demo »'
		}
	])('$locale', ({ locale, any, type }) => {
		const every = rule({ target: { kind: 'activity' }, effect: { kind: 'multiplier', factor: 3 } });
		expect(describeRule(every, TZ, { locale })).toBe(any);
		const demo = rule({
			target: { kind: 'activity', type: 'demo' },
			effect: { kind: 'multiplier', factor: 2 },
			...(locale === 'en' ? { ...week, dailyCap: 30 } : {})
		});
		expect(describeRule(demo, TZ, { locale, activityTypes: types })).toBe(type);
		// Without the season's types the key stands in for the name.
		expect(describeRule(demo, TZ, { locale })).toContain('demo');
	});

	it('refuses an effect that activities cannot have', () => {
		const bonus = rule({ target: { kind: 'activity' } });
		expect(() => describeRule(bonus, TZ, { locale: 'en' })).toThrow(RangeError);
	});
});
