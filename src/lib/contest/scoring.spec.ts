import { TZDate } from '@date-fns/tz';
import { describe, expect, it } from 'vitest';
import { localDateWindow, type Rule } from './rules';
import { score, ScoringError, type ScoreContext } from './scoring';
import type { CatalogueItem, SaleInput, SaleLineInput, ScoreBreakdown } from './types';

const TZ = 'Europe/Warsaw';

const catalogue = new Map<string, CatalogueItem>(
	[
		{ sku: 'PH-X', name: 'Phone X', category: 'phone', points: 100, active: true },
		{ sku: 'HS-PRO', name: 'Headset Pro', category: 'audio', points: 40, active: true },
		{ sku: 'CASE', name: 'Phone case', category: 'accessory', points: 5, active: true },
		{ sku: 'CHG', name: 'Charger', category: 'accessory', points: 10, active: true },
		{ sku: 'PH-OLD', name: 'Phone Old', category: 'phone', points: 50, active: false }
	].map((item) => [item.sku, item])
);

/** Epoch ms of a wall-clock time in Warsaw. */
const local = (y: number, m: number, d: number, h = 12, min = 0) =>
	new TZDate(y, m - 1, d, h, min, TZ).getTime();

const MARCH = localDateWindow('2026-03-01', '2026-03-15', TZ);
const IN_MARCH = local(2026, 3, 10);

const line = (sku: string, quantity = 1, unitPrice = 1000): SaleLineInput => ({
	sku,
	quantity,
	unitPrice
});
const sale = (lines: SaleLineInput[], occurredAt = IN_MARCH): SaleInput => ({ occurredAt, lines });

const rule = (id: number, effect: Rule['effect'], extra: Partial<Rule> = {}): Rule => ({
	id,
	name: `Rule ${id}`,
	active: true,
	...MARCH,
	target: { kind: 'any' },
	effect,
	...extra
});
const sku = (value: string): Rule['target'] => ({ kind: 'sku', sku: value });
const category = (value: string): Rule['target'] => ({ kind: 'category', category: value });
const times = (factor: number): Rule['effect'] => ({ kind: 'multiplier', factor });

function run(s: SaleInput, rules: Rule[], context: Partial<ScoreContext> = {}): ScoreBreakdown {
	const result = score(s, rules, catalogue, { timeZone: TZ, ...context });
	// Every breakdown must add up, in whole points.
	expect(result.total).toBe(result.items.reduce((sum, item) => sum + item.points, 0));
	for (const item of result.items) expect(Number.isInteger(item.points)).toBe(true);
	return result;
}

const ruleItems = (result: ScoreBreakdown) =>
	result.items.filter((item) => item.ruleId !== undefined).map((i) => [i.ruleId, i.points]);

describe('score: base points', () => {
	it.each([
		{ lines: [line('PH-X')], total: 100 },
		{ lines: [line('PH-X', 2), line('CASE', 3)], total: 215 },
		{ lines: [line('CHG', 7)], total: 70 }
	])('$lines.length line(s) → $total with no rules', ({ lines, total }) => {
		// The sales service's call today: no rules, only a time zone.
		const result = score(sale(lines), [], catalogue, { timeZone: TZ });
		expect(result).toMatchObject({ total, base: total });
		expect(result.items).toHaveLength(lines.length);
	});

	it('lists each line with its base points', () => {
		const result = run(sale([line('PH-X', 2), line('CASE')]), []);
		expect(result.lines[0]).toEqual({
			sku: 'PH-X',
			name: 'Phone X',
			category: 'phone',
			quantity: 2,
			unitPoints: 100,
			points: 200
		});
		expect(result.items).toEqual([
			{ label: '2 × Phone X', points: 200, sku: 'PH-X' },
			{ label: '1 × Phone case', points: 5, sku: 'CASE' }
		]);
	});
});

describe('score: errors', () => {
	it.each([
		{ lines: [line('NOPE')], code: 'unknown_sku', sku: 'NOPE' },
		{ lines: [line('PH-X'), line('PH-OLD')], code: 'inactive_sku', sku: 'PH-OLD' },
		{ lines: [], code: 'empty_sale', sku: undefined }
	])('$code', ({ lines, code, sku: failing }) => {
		const attempt = () => run(sale(lines), [rule(1, times(2))]);
		expect(attempt).toThrow(ScoringError);
		expect(attempt).toThrow(expect.objectContaining({ code, sku: failing }));
	});
});

const crossSell = (factor: number): Rule['effect'] => ({
	kind: 'cross_sell_multiplier',
	withCategory: 'accessory',
	factor
});
const crossBonus = (points: number, per: 'unit' | 'sale'): Rule['effect'] => ({
	kind: 'cross_sell_bonus',
	withCategory: 'accessory',
	points,
	per
});
const bigSale = (minAmount: number, points: number): Rule['effect'] => ({
	kind: 'amount_bonus',
	minAmount,
	points
});
const firstSale = (points: number): Rule['effect'] => ({ kind: 'first_sale_bonus', points });

describe('score: rule types', () => {
	it.each<{
		name: string;
		rules: Rule[];
		lines: SaleLineInput[];
		context?: Partial<ScoreContext>;
		total: number;
		items: number[][];
	}>([
		{
			name: 'multiplier on a SKU',
			rules: [rule(1, times(2), { target: sku('HS-PRO') })],
			lines: [line('HS-PRO', 2), line('CASE')],
			total: 165,
			items: [[1, 80]]
		},
		{
			name: 'multiplier on a category, one item per line',
			rules: [rule(1, times(3), { target: category('accessory') })],
			lines: [line('PH-X'), line('CASE', 2), line('CHG')],
			total: 160,
			items: [
				[1, 20],
				[1, 20]
			]
		},
		{
			name: 'multiplier on any line',
			rules: [rule(1, times(2))],
			lines: [line('PH-X'), line('CASE')],
			total: 210,
			items: [
				[1, 100],
				[1, 5]
			]
		},
		{
			name: 'fractional factor rounds half up (2.5 → 3)',
			rules: [rule(1, times(1.5))],
			lines: [line('CASE')],
			total: 8,
			items: [[1, 3]]
		},
		{
			name: 'float noise does not change rounding ((1.15 − 1) × 10 → 2)',
			rules: [rule(1, times(1.15))],
			lines: [line('CHG')],
			total: 12,
			items: [[1, 2]]
		},
		{
			name: 'a factor of 1 or less never applies',
			rules: [rule(1, times(0.5)), rule(2, times(1))],
			lines: [line('PH-X')],
			total: 100,
			items: []
		},
		{
			name: 'cross-sell multiplier: triple on the phone, not on the accessory',
			rules: [rule(1, crossSell(3), { target: category('phone') })],
			lines: [line('PH-X'), line('CASE')],
			total: 305,
			items: [[1, 200]]
		},
		{
			name: 'cross-sell multiplier without the companion category',
			rules: [rule(1, crossSell(3), { target: category('phone') })],
			lines: [line('PH-X'), line('HS-PRO')],
			total: 140,
			items: []
		},
		{
			name: 'cross-sell: a lone accessory line does not pair with itself',
			rules: [rule(1, crossSell(2), { target: category('accessory') })],
			lines: [line('CASE', 3)],
			total: 15,
			items: []
		},
		{
			name: 'cross-sell: two accessory lines pair with each other',
			rules: [rule(1, crossSell(2), { target: category('accessory') })],
			lines: [line('CASE'), line('CHG')],
			total: 30,
			items: [
				[1, 5],
				[1, 10]
			]
		},
		{
			name: 'cross-sell bonus per unit of the target',
			rules: [rule(1, crossBonus(20, 'unit'), { target: sku('PH-X') })],
			lines: [line('PH-X', 2), line('CASE')],
			total: 245,
			items: [[1, 40]]
		},
		{
			name: 'cross-sell bonus once per sale',
			rules: [rule(1, crossBonus(50, 'sale'), { target: sku('PH-X') })],
			lines: [line('PH-X', 2), line('CASE'), line('CHG')],
			total: 265,
			items: [[1, 50]]
		},
		{
			name: 'cross-sell bonus without the companion',
			rules: [rule(1, crossBonus(50, 'sale'), { target: sku('PH-X') })],
			lines: [line('PH-X', 2)],
			total: 200,
			items: []
		},
		{
			name: 'amount bonus at exactly the threshold',
			rules: [rule(1, bigSale(100_000, 50))],
			lines: [line('PH-X', 2, 50_000)],
			total: 250,
			items: [[1, 50]]
		},
		{
			name: 'amount bonus one cent short',
			rules: [rule(1, bigSale(100_000, 50))],
			lines: [line('PH-X', 2, 49_999), line('CASE', 1, 1)],
			total: 205,
			items: []
		},
		{
			name: 'amount bonus counts only the target lines',
			rules: [rule(1, bigSale(5_000, 50), { target: category('accessory') })],
			lines: [line('PH-X', 1, 90_000), line('CASE', 1, 2_000)],
			total: 105,
			items: []
		},
		{
			name: 'first sale of the day',
			rules: [rule(1, firstSale(25))],
			lines: [line('CASE')],
			context: { priorSalesToday: 0 },
			total: 30,
			items: [[1, 25]]
		},
		{
			name: 'second sale of the day',
			rules: [rule(1, firstSale(25))],
			lines: [line('CASE')],
			context: { priorSalesToday: 1 },
			total: 5,
			items: []
		},
		{
			name: 'first sale unknown (no priorSalesToday): no bonus',
			rules: [rule(1, firstSale(25))],
			lines: [line('CASE')],
			total: 5,
			items: []
		},
		{
			name: 'first sale without the targeted product',
			rules: [rule(1, firstSale(25), { target: sku('HS-PRO') })],
			lines: [line('CASE')],
			context: { priorSalesToday: 0 },
			total: 5,
			items: []
		},
		{
			name: 'inactive rule',
			rules: [rule(1, times(2), { active: false })],
			lines: [line('PH-X')],
			total: 100,
			items: []
		},
		{
			name: 'rule with no window applies at any time',
			rules: [rule(1, times(2), { startsAt: null, endsAt: undefined })],
			lines: [line('PH-X')],
			total: 200,
			items: [[1, 100]]
		}
	])('$name', ({ rules, lines, context, total, items }) => {
		const result = run(sale(lines), rules, context);
		expect(result.total).toBe(total);
		expect(ruleItems(result)).toEqual(items);
	});
});

describe('score: overlapping rules', () => {
	it.each<{ name: string; rules: Rule[]; lines: SaleLineInput[]; items: number[][] }>([
		{
			name: 'multipliers on one line do not stack: the highest wins (×2 vs ×3 → ×3)',
			rules: [
				rule(1, times(2), { target: sku('PH-X') }),
				rule(2, crossSell(3), { target: category('phone') })
			],
			lines: [line('PH-X'), line('CASE')],
			items: [[2, 200]]
		},
		{
			name: 'equal factors: the lower rule id takes the line',
			rules: [rule(5, times(2)), rule(3, times(2))],
			lines: [line('PH-X')],
			items: [[3, 100]]
		},
		{
			name: 'multipliers on different lines each apply',
			rules: [
				rule(1, times(2), { target: sku('PH-X') }),
				rule(2, times(4), { target: category('accessory') })
			],
			lines: [line('PH-X'), line('CASE')],
			items: [
				[1, 100],
				[2, 15]
			]
		},
		{
			name: 'bonuses add up and are never multiplied',
			rules: [
				rule(1, times(2), { target: sku('PH-X') }),
				rule(2, crossBonus(50, 'sale'), { target: sku('PH-X') }),
				rule(3, bigSale(1_000, 30)),
				rule(4, firstSale(10))
			],
			lines: [line('PH-X'), line('CASE')],
			items: [
				[1, 100],
				[2, 50],
				[3, 30],
				[4, 10]
			]
		}
	])('$name', ({ rules, lines, items }) => {
		expect(ruleItems(run(sale(lines), rules, { priorSalesToday: 0 }))).toEqual(items);
	});

	// Campaign A ×2 on 1–15 March, campaign B ×3 on 10–20 March, same product.
	const campaigns = [
		rule(1, times(2), { target: sku('PH-X') }),
		rule(2, times(3), { target: sku('PH-X'), ...localDateWindow('2026-03-10', '2026-03-20', TZ) })
	];
	it.each([
		{ day: 5, items: [[1, 100]] },
		{ day: 12, items: [[2, 200]] },
		{ day: 18, items: [[2, 200]] },
		{ day: 21, items: [] }
	])('overlapping windows, sale on $day March → $items', ({ day, items }) => {
		expect(ruleItems(run(sale([line('PH-X')], local(2026, 3, day)), campaigns))).toEqual(items);
	});
});

describe('score: how multipliers combine (the season setting)', () => {
	const both = [
		rule(1, times(2), { target: sku('PH-X') }),
		rule(2, crossSell(3), { target: category('phone') })
	];
	const phoneAndCase = [line('PH-X'), line('CASE')];

	it.each<{ name: string; context: Partial<ScoreContext>; items: number[][]; total: number }>([
		{ name: 'no setting: the best multiplier wins', context: {}, items: [[2, 200]], total: 305 },
		{
			name: "'best': the best multiplier wins (×2 and ×3 → ×3)",
			context: { multipliers: 'best' },
			items: [[2, 200]],
			total: 305
		},
		{
			name: "'multiply': ×2 and ×3 make ×6, each rule showing what it added",
			context: { multipliers: 'multiply' },
			items: [
				[1, 100],
				[2, 400]
			],
			total: 605
		}
	])('$name', ({ context, items, total }) => {
		const result = run(sale(phoneAndCase), both, context);
		expect(ruleItems(result)).toEqual(items);
		expect(result.total).toBe(total);
	});

	it("'multiply': the order of the rules does not change the result", () => {
		const a = run(sale(phoneAndCase), both, { multipliers: 'multiply' });
		const b = run(sale(phoneAndCase), [...both].reverse(), { multipliers: 'multiply' });
		expect(b).toEqual(a);
	});

	it("'multiply': a daily cap limits its own rule, and the next multiplies what was given", () => {
		const capped = [rule(1, times(2), { target: sku('PH-X'), dailyCap: 50 }), both[1]];
		const result = run(sale(phoneAndCase), capped, { multipliers: 'multiply' });
		// 100 base, +50 (capped ×2) = 150, then ×3 adds 300.
		expect(ruleItems(result)).toEqual([
			[1, 50],
			[2, 300]
		]);
		expect(result.items.find((i) => i.ruleId === 1)?.label).toContain('daily cap');
	});

	it("'multiply': bonuses are still added once and never multiplied", () => {
		const rules = [...both, rule(3, bigSale(1_000, 30))];
		const result = run(sale(phoneAndCase), rules, { multipliers: 'multiply' });
		expect(ruleItems(result)).toEqual([
			[1, 100],
			[2, 400],
			[3, 30]
		]);
	});

	it("'multiply': a factor of 1 or less is ignored", () => {
		const rules = [rule(1, times(1)), rule(2, times(0.5)), rule(3, times(2))];
		const result = run(sale([line('PH-X')]), rules, { multipliers: 'multiply' });
		expect(ruleItems(result)).toEqual([[3, 100]]);
	});
});

describe('score: windows in the season time zone', () => {
	const double = [rule(1, times(2))];
	it.each([
		{ when: '1 March 00:00 (first instant)', at: local(2026, 3, 1, 0, 0), counts: true },
		{ when: '28 February 23:59', at: local(2026, 2, 28, 23, 59), counts: false },
		{ when: '15 March 23:30, last day', at: Date.UTC(2026, 2, 15, 22, 30), counts: true },
		{ when: '16 March 00:00, window end', at: MARCH.endsAt, counts: false },
		{ when: '16 March 00:30, next local day', at: Date.UTC(2026, 2, 15, 23, 30), counts: false }
	])('Europe/Warsaw, 1–15 March: $when counts=$counts', ({ at, counts }) => {
		expect(run(sale([line('PH-X')], at), double).total).toBe(counts ? 200 : 100);
	});

	// Poland moves to summer time on 29 March 2026 (a 23 h day) and back on 25 October (25 h).
	it.each([
		{ day: '2026-03-29', when: '00:30 CET', at: Date.UTC(2026, 2, 28, 23, 30), counts: true },
		{ day: '2026-03-29', when: '23:30 CEST', at: Date.UTC(2026, 2, 29, 21, 30), counts: true },
		{ day: '2026-03-29', when: 'next 00:30', at: Date.UTC(2026, 2, 29, 22, 30), counts: false },
		{ day: '2026-10-25', when: '2nd 02:30 CET', at: Date.UTC(2026, 9, 25, 1, 30), counts: true },
		{ day: '2026-10-25', when: '23:30 CET', at: Date.UTC(2026, 9, 25, 22, 30), counts: true },
		{ day: '2026-10-25', when: 'next 00:30', at: Date.UTC(2026, 9, 25, 23, 30), counts: false }
	])('DST day $day: $when counts=$counts', ({ day, at, counts }) => {
		const rules = [rule(1, times(2), localDateWindow(day, day, TZ))];
		expect(run(sale([line('PH-X')], at), rules).total).toBe(counts ? 200 : 100);
	});
});

describe('score: daily caps', () => {
	const capped = (cap: number) => rule(1, times(2), { dailyCap: cap });
	it.each<{
		name: string;
		rules: Rule[];
		lines: SaleLineInput[];
		used?: Record<number, number>;
		items: (string | number)[][];
	}>([
		{
			name: 'under the cap',
			rules: [capped(100)],
			lines: [line('PH-X')],
			items: [[100, 'Rule 1: ×2 on Phone X']]
		},
		{
			name: 'partly used cap gives the rest',
			rules: [capped(100)],
			lines: [line('PH-X')],
			used: { 1: 70 },
			items: [[30, 'Rule 1: ×2 on Phone X (daily cap)']]
		},
		{
			name: 'used-up cap still shows the rule',
			rules: [capped(100)],
			lines: [line('PH-X')],
			used: { 1: 100 },
			items: [[0, 'Rule 1: ×2 on Phone X (daily cap reached)']]
		},
		{
			name: 'over-used cap never takes points away',
			rules: [capped(100)],
			lines: [line('PH-X')],
			used: { 1: 150 },
			items: [[0, 'Rule 1: ×2 on Phone X (daily cap reached)']]
		},
		{
			name: "another rule's awards do not count",
			rules: [capped(100)],
			lines: [line('PH-X')],
			used: { 2: 100 },
			items: [[100, 'Rule 1: ×2 on Phone X']]
		},
		{
			name: 'the cap is used up line by line in sale order',
			rules: [capped(150)],
			lines: [line('PH-X'), line('HS-PRO', 2)],
			items: [
				[100, 'Rule 1: ×2 on Phone X'],
				[50, 'Rule 1: ×2 on Headset Pro (daily cap)']
			]
		},
		{
			name: 'bonuses are capped too',
			rules: [rule(1, crossBonus(20, 'unit'), { target: sku('PH-X'), dailyCap: 50 })],
			lines: [line('PH-X', 3), line('CASE')],
			used: { 1: 10 },
			items: [[40, 'Rule 1: +20 × 3 Phone X (daily cap)']]
		},
		{
			name: 'a capped-out multiplier gives way to one still worth points',
			rules: [rule(1, times(3), { dailyCap: 50 }), rule(2, times(2))],
			lines: [line('PH-X')],
			used: { 1: 50 },
			items: [[100, 'Rule 2: ×2 on Phone X']]
		}
	])('$name', ({ rules, lines, used, items }) => {
		const result = run(sale(lines), rules, { ruleAwardsToday: used });
		const got = result.items.filter((item) => item.ruleId !== undefined);
		expect(got.map((item) => [item.points, item.label])).toEqual(items);
	});
});

describe('score: determinism', () => {
	const season: Rule[] = [
		rule(7, times(2), { target: sku('PH-X') }),
		rule(3, crossSell(3), { target: category('phone'), dailyCap: 150 }),
		rule(11, times(3), { target: category('phone') }),
		rule(2, crossBonus(5, 'unit'), { target: category('accessory') }),
		rule(9, bigSale(50_000, 40), { dailyCap: 60 }),
		rule(4, firstSale(15)),
		rule(5, times(1.5), { target: category('accessory'), dailyCap: 8 }),
		rule(6, times(9), { active: false })
	];
	const theSale = sale([line('PH-X', 2, 40_000), line('CASE', 3), line('CHG'), line('HS-PRO')]);
	const context: Partial<ScoreContext> = { priorSalesToday: 0, ruleAwardsToday: { 3: 100, 9: 30 } };
	const reference = run(theSale, season, context);

	const shuffled = (seed: number) => {
		const copy = [...season];
		let state = seed;
		for (let i = copy.length - 1; i > 0; i--) {
			state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
			const j = state % (i + 1);
			[copy[i], copy[j]] = [copy[j], copy[i]];
		}
		return copy;
	};
	it.each([
		{ order: 'reversed', rules: [...season].reverse() },
		{ order: 'rotated', rules: [...season.slice(3), ...season.slice(0, 3)] },
		{ order: 'sorted by id', rules: [...season].sort((a, b) => a.id - b.id) },
		...[1, 2, 3].map((seed) => ({ order: `shuffle #${seed}`, rules: shuffled(seed) }))
	])('$order rules give the same breakdown', ({ rules }) => {
		expect(run(theSale, rules, context)).toEqual(reference);
	});

	it('scores the reference sale as documented', () => {
		// Phone: ×3 (rule 11, +400) beats rule 3's capped +50. Rule 5's cap of 8 goes to the case,
		// leaving 0 for the charger; rule 9's cap leaves 30 of its 40.
		expect(ruleItems(reference)).toEqual([
			[2, 15],
			[2, 5],
			[4, 15],
			[5, 8],
			[5, 0],
			[9, 30],
			[11, 400]
		]);
		expect(reference.total).toBe(200 + 15 + 10 + 40 + 15 + 5 + 15 + 8 + 30 + 400);
	});
});
