import { TZDate } from '@date-fns/tz';
import { describe, expect, it } from 'vitest';
import { scoreActivity, type ActivityInput, type ActivityScore } from './activity-score';
import { localDateWindow, type Rule } from './rules';
import type { ScoreContext } from './scoring';
import { breakdownLabel } from './breakdown-words';

const TZ = 'Europe/Stockholm';
const local = (d: number, h = 12, min = 0) => new TZDate(2026, 2, d, h, min, TZ).getTime();
// Demo week: 9–13 March, whole local days.
const WEEK = localDateWindow('2026-03-09', '2026-03-13', TZ);

const DEMO = { key: 'demo', name: 'Product demo', points: 15 };
const CALL = { key: 'call', name: 'Customer call', points: 2 };
const activity = (type = DEMO, quantity = 1, occurredAt = local(10)): ActivityInput => ({
	type,
	quantity,
	occurredAt
});

const rule = (id: number, factor: number, extra: Partial<Rule> = {}): Rule => ({
	id,
	name: `Rule ${id}`,
	active: true,
	...WEEK,
	target: { kind: 'activity' },
	effect: { kind: 'multiplier', factor },
	...extra
});
const onType = (type: string): Partial<Rule> => ({ target: { kind: 'activity', type } });

function run(a: ActivityInput, rules: Rule[], context: Partial<ScoreContext> = {}): ActivityScore {
	const result = scoreActivity(a, rules, context);
	expect(result.total).toBe(result.items.reduce((sum, item) => sum + item.points, 0));
	for (const item of result.items) expect(Number.isInteger(item.points)).toBe(true);
	expect(result.items[0]).toEqual({ label: `${a.quantity} × ${a.type.name}`, points: result.base });
	return result;
}
const ruleItems = (result: ActivityScore) =>
	result.items.filter((i) => i.ruleId !== undefined).map((i) => [i.ruleId, i.points]);

describe('scoreActivity: which rules apply', () => {
	it.each([
		{ name: 'no rule', rules: [], at: local(10), total: 30, items: [] },
		{
			name: 'every type, in the window',
			rules: [rule(1, 2)],
			at: local(10),
			total: 60,
			items: [[1, 30]]
		},
		{
			name: 'first instant of the window',
			rules: [rule(1, 2)],
			at: WEEK.startsAt,
			total: 60,
			items: [[1, 30]]
		},
		{
			name: 'last instant of the window',
			rules: [rule(1, 2)],
			at: WEEK.endsAt - 1,
			total: 60,
			items: [[1, 30]]
		},
		{ name: 'window end is exclusive', rules: [rule(1, 2)], at: WEEK.endsAt, total: 30, items: [] },
		{ name: 'before the window', rules: [rule(1, 2)], at: WEEK.startsAt - 1, total: 30, items: [] },
		{
			name: 'open window',
			rules: [rule(1, 2, { startsAt: null, endsAt: null })],
			at: local(20),
			total: 60,
			items: [[1, 30]]
		},
		{
			name: 'inactive rule',
			rules: [rule(1, 2, { active: false })],
			at: local(10),
			total: 30,
			items: []
		},
		{
			name: 'its type',
			rules: [rule(1, 3, onType('demo'))],
			at: local(10),
			total: 90,
			items: [[1, 60]]
		},
		{
			name: 'another type',
			rules: [rule(1, 3, onType('call'))],
			at: local(10),
			total: 30,
			items: []
		},
		{
			name: 'a sale-line target',
			rules: [rule(1, 2, { target: { kind: 'any' } })],
			at: local(10),
			total: 30,
			items: []
		},
		{
			name: 'a bonus never applies to activities',
			rules: [rule(1, 2, { effect: { kind: 'first_sale_bonus', points: 50 } })],
			at: local(10),
			total: 30,
			items: []
		}
	])('$name', ({ rules, at, total, items }) => {
		const result = run(activity(DEMO, 2, at), rules);
		expect(result.base).toBe(30);
		expect(result.total).toBe(total);
		expect(ruleItems(result)).toEqual(items);
	});
});

describe('scoreActivity: several multipliers', () => {
	const both = [rule(2, 3, onType('demo')), rule(1, 2)];
	it.each([
		{ mode: undefined, total: 45, items: [[2, 30]] },
		{ mode: 'best' as const, total: 45, items: [[2, 30]] },
		{
			mode: 'multiply' as const,
			total: 90,
			items: [
				[1, 15],
				[2, 60]
			]
		}
	])('mode $mode', ({ mode, total, items }) => {
		const result = run(activity(), both, { multipliers: mode });
		expect(result.total).toBe(total);
		expect(ruleItems(result)).toEqual(items);
	});

	it('best: a capped multiplier loses to one that still gives more', () => {
		const capped = rule(2, 3, { dailyCap: 40 });
		const result = run(activity(), [rule(1, 2), capped], { ruleAwardsToday: { 2: 35 } });
		expect(ruleItems(result)).toEqual([[1, 15]]);
	});

	it('best: equal points go to the higher factor, then the lower id', () => {
		expect(ruleItems(run(activity(), [rule(1, 2), rule(2, 2)]))).toEqual([[1, 15]]);
		const capped = rule(1, 3, { dailyCap: 15 });
		expect(ruleItems(run(activity(), [capped, rule(2, 2)]))).toEqual([[1, 15]]);
	});
});

describe('scoreActivity: daily cap', () => {
	const capped = rule(1, 3, { dailyCap: 30 });
	it.each<{ name: string; today: Record<number, number>; points: number; cap?: string }>([
		{ name: 'unused', today: {}, points: 30, cap: undefined },
		{ name: 'partly used', today: { 1: 20 }, points: 10, cap: 'partial' },
		{ name: 'reached', today: { 1: 30 }, points: 0, cap: 'reached' },
		{ name: 'another rule used', today: { 7: 30 }, points: 30, cap: undefined }
	])('$name', ({ today, points, cap }) => {
		const result = run(activity(DEMO, 1), [capped], { ruleAwardsToday: today });
		expect(ruleItems(result)).toEqual([[1, points]]);
		expect(result.items[1].words).toEqual({
			kind: 'multiplier',
			rule: 'Rule 1',
			factor: 3,
			product: 'Product demo',
			...(cap ? { cap } : {})
		});
	});

	it('multiply: each rule caps on what it adds', () => {
		const result = run(activity(), [rule(1, 2, { dailyCap: 10 }), rule(2, 2)], {
			multipliers: 'multiply'
		});
		// 15 base, +10 (15 capped at 10) = 25, then ×2: +25.
		expect(ruleItems(result)).toEqual([
			[1, 10],
			[2, 25]
		]);
	});
});

describe('scoreActivity: rounding and words', () => {
	it.each([
		{ points: 2, quantity: 1, factor: 1.25, added: 1 }, // 0.5 rounds half up
		{ points: 2, quantity: 1, factor: 1.2, added: 0 }, // 0.4 rounds down: nothing to show
		{ points: 10, quantity: 1, factor: 1.15, added: 2 }, // 1.5 despite float noise
		{ points: 2, quantity: 3, factor: 1.5, added: 3 }
	])('$points × $quantity at ×$factor adds $added', ({ points, quantity, factor, added }) => {
		const type = { ...CALL, points };
		const result = run(activity(type, quantity), [rule(1, factor)]);
		expect(result.total).toBe(points * quantity + added);
		expect(ruleItems(result)).toEqual(added > 0 ? [[1, added]] : []);
	});

	it('a factor of 1 never applies', () => {
		expect(ruleItems(run(activity(), [rule(1, 1)]))).toEqual([]);
	});

	it('names the rule and the type, in the reader language', () => {
		const result = run(activity(), [rule(1, 2, { name: 'Demo week' })]);
		expect(result.items[1].label).toBe('Demo week: ×2 on Product demo');
		expect(breakdownLabel(result.items[1], 'en')).toBe('Demo week: ×2 on Product demo');
		expect(breakdownLabel(result.items[1], 'fr')).toBe('Demo week : ×2 sur Product demo');
	});
});
