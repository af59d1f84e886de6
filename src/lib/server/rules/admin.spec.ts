import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { openDatabase, type Db } from '../db';
import { auditEvent, product, rule, season } from '../db/schema';
import {
	createRule,
	deleteRule,
	emptyRuleValues,
	parseRule,
	previewRule,
	ruleStatus,
	ruleToValues,
	setRuleActive,
	updateRule,
	type PricedItem,
	type RuleContext,
	type RuleValues
} from './admin';

const TZ = 'Europe/Warsaw';
const items: PricedItem[] = [
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
const catalogue = new Map(items.map((p) => [p.sku, p]));
// The season: 1 October – 31 December 2026, Warsaw time.
const seasonWindow = { startsAt: Date.UTC(2026, 8, 30, 22), endsAt: Date.UTC(2026, 11, 31, 23) };
const ctx: RuleContext = { timeZone: TZ, catalogue, season: seasonWindow };
const values = (patch: Partial<RuleValues>): RuleValues => ({
	...emptyRuleValues(),
	name: 'Campaign',
	...patch
});
const crossSell = values({
	name: 'Triple points on phones with an accessory',
	effect: 'cross_sell_multiplier',
	factor: '3',
	withCategory: 'Accessories',
	targetKind: 'category',
	targetCategory: 'Phones'
});

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
			name: 'unknown effect',
			values: { ...crossSell, effect: 'lottery' },
			errors: { effect: 'Choose what the rule does' }
		}
	];
	it.each(cases)('$name', ({ values, errors }) => {
		expect(parseRule(values, ctx)).toEqual({ ok: false, errors });
	});
});

describe('ruleStatus', () => {
	const now = 1000;
	it.each([
		{ row: { active: false, startsAt: null, endsAt: null }, status: 'off' },
		{ row: { active: true, startsAt: null, endsAt: null }, status: 'active' },
		{ row: { active: true, startsAt: 1001, endsAt: null }, status: 'scheduled' },
		{ row: { active: true, startsAt: 0, endsAt: 1000 }, status: 'over' },
		{ row: { active: true, startsAt: 1000, endsAt: 1001 }, status: 'active' }
	])('$status', ({ row, status }) => expect(ruleStatus(row, now)).toBe(status));
});

describe('rules in the database', () => {
	let db: Db;
	let seasonId: number;
	const actor = { userId: null };
	const at = Date.UTC(2026, 10, 10, 11); // 10 November, 12:00 in Warsaw

	beforeEach(() => {
		db = openDatabase(':memory:');
		seasonId = db
			.insert(season)
			.values({
				name: 'Q4',
				theme: { primary: '#000', accent: '#fff', emoji: '🏆', tagline: '' },
				timeZone: TZ,
				status: 'live',
				...seasonWindow
			})
			.returning()
			.get().id;
		db.insert(product)
			.values(items.map((p) => ({ ...p, seasonId })))
			.run();
	});
	afterEach(() => db.$client.close());

	const draftOf = (v: RuleValues) => {
		const result = parseRule(v, ctx);
		if (!result.ok) throw new Error(JSON.stringify(result.errors));
		return result.draft;
	};
	const sample = {
		lines: [
			{ sku: 'PH-PRO', quantity: '1' },
			{ sku: 'CASE', quantity: '1' }
		],
		at: '2026-11-10T12:00',
		first: true
	};

	it("previews a draft with the pure engine: base, the draft's share, total", () => {
		const result = previewRule(db, seasonId, TZ, catalogue, draftOf(crossSell), sample, {
			now: at
		});
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(result.preview).toMatchObject({ base: 55, total: 155, totalWithout: 55, applies: true });
		expect(result.preview.items.filter((i) => i.draft)).toEqual([
			expect.objectContaining({
				points: 100,
				label: 'Triple points on phones with an accessory: ×3 on Phone Pro 15',
				draft: true
			})
		]);
		expect(db.select().from(rule).all()).toEqual([]);
	});

	it('suggests a sample from the target and companion when none is picked', () => {
		const result = previewRule(
			db,
			seasonId,
			TZ,
			catalogue,
			draftOf(crossSell),
			{ lines: [], at: '', first: true },
			{ now: at }
		);
		expect(result.ok && result.preview.sample.lines.slice(0, 2)).toEqual([
			{ sku: 'PH-PRO', quantity: '1' },
			{ sku: 'CASE', quantity: '1' }
		]);
	});

	it('replaces the edited rule instead of stacking with it', () => {
		const saved = createRule(db, seasonId, draftOf(crossSell), actor, () => at);
		const weaker = draftOf({ ...crossSell, factor: '2' });
		const result = previewRule(db, seasonId, TZ, catalogue, weaker, sample, {
			editingId: saved.id,
			now: at
		});
		expect(result.ok && result.preview.total).toBe(105);
	});

	it('refuses a sample with a switched-off product', () => {
		const result = previewRule(db, seasonId, TZ, catalogue, draftOf(crossSell), {
			...sample,
			lines: [{ sku: 'OLD', quantity: '1' }]
		});
		expect(result).toEqual({
			ok: false,
			errors: { sample: 'Old Phone is switched off in the catalogue' }
		});
	});

	it('creates, edits, switches off and deletes, each audited', () => {
		const created = createRule(db, seasonId, draftOf(crossSell), actor, () => at);
		expect(ruleToValues(created, TZ)).toEqual({ ...crossSell });
		updateRule(
			db,
			seasonId,
			created.id,
			draftOf({ ...crossSell, factor: '2', from: '2026-11-01', to: '2026-11-15' }),
			actor
		);
		const edited = db.select().from(rule).where(eq(rule.id, created.id)).get()!;
		expect(ruleToValues(edited, TZ)).toMatchObject({
			factor: '2',
			from: '2026-11-01',
			to: '2026-11-15'
		});
		setRuleActive(db, seasonId, created.id, false, actor);
		setRuleActive(db, seasonId, created.id, false, actor); // no change, no audit
		deleteRule(db, seasonId, created.id, actor);
		expect(db.select().from(rule).all()).toEqual([]);
		expect(
			db
				.select({ action: auditEvent.action })
				.from(auditEvent)
				.all()
				.map((e) => e.action)
		).toEqual(['rule.create', 'rule.update', 'rule.deactivate', 'rule.delete']);
	});

	it('does not touch a rule of another season', () => {
		const created = createRule(db, seasonId, draftOf(crossSell), actor);
		expect(() => deleteRule(db, seasonId + 1, created.id, actor)).toThrow(
			'This rule does not exist'
		);
	});
});
