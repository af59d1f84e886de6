import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { openDatabase, type Db } from '../db';
import { sqliteStore } from '../db/store';
import { auditEvent, product, rule, season } from '../db/schema';
import { createRule, deleteRule, setRuleActive, updateRule } from './commands';
import { previewRule } from './preview';
import { parseRule, ruleToValues, type RuleValues } from './rule-form';
import { catalogue, crossSell, ctx, items, seasonWindow, TZ } from './spec-fixtures';

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

	it("previews a draft with the pure engine: base, the draft's share, total", async () => {
		const result = await previewRule(
			sqliteStore(db),
			seasonId,
			TZ,
			catalogue,
			draftOf(crossSell),
			sample,
			{
				now: at
			}
		);
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

	it('suggests a sample from the target and companion when none is picked', async () => {
		const result = await previewRule(
			sqliteStore(db),
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

	it('replaces the edited rule instead of stacking with it', async () => {
		const saved = await createRule(sqliteStore(db), seasonId, draftOf(crossSell), actor, () => at);
		const weaker = draftOf({ ...crossSell, factor: '2' });
		const result = await previewRule(sqliteStore(db), seasonId, TZ, catalogue, weaker, sample, {
			editingId: saved.id,
			now: at
		});
		expect(result.ok && result.preview.total).toBe(105);
	});

	it.each([
		['best', 160, 'best'],
		['multiply', 310, 'multiply']
	] as const)(
		"previews with the season's way of combining multipliers: %s",
		async (mode, total, said) => {
			db.update(season).set({ multiplierMode: mode }).where(eq(season.id, seasonId)).run();
			// A ×2 on everything already exists; the draft is a ×3 cross-sell on the phone.
			await createRule(
				sqliteStore(db),
				seasonId,
				draftOf({
					...crossSell,
					name: 'Double all',
					effect: 'multiplier',
					factor: '2',
					targetKind: 'any'
				}),
				actor,
				() => at
			);
			const result = await previewRule(
				sqliteStore(db),
				seasonId,
				TZ,
				catalogue,
				draftOf(crossSell),
				sample,
				{
					now: at
				}
			);
			expect(result.ok).toBe(true);
			if (!result.ok) return;
			// Phone 50 + case 5. Best: the phone takes ×3 (+100), the case ×2 (+5): 160.
			// Multiply: the phone ×2 ×3 = 300 (+250), the case ×2 (+5): 310.
			expect(result.preview.multipliers).toBe(said);
			expect(result.preview.total).toBe(total);
		}
	);

	it('refuses a sample with a switched-off product', async () => {
		const result = await previewRule(sqliteStore(db), seasonId, TZ, catalogue, draftOf(crossSell), {
			...sample,
			lines: [{ sku: 'OLD', quantity: '1' }]
		});
		expect(result).toEqual({
			ok: false,
			errors: { sample: 'Old Phone is switched off in the catalogue' }
		});
	});

	it('creates, edits, switches off and deletes, each audited', async () => {
		const created = await createRule(
			sqliteStore(db),
			seasonId,
			draftOf(crossSell),
			actor,
			() => at
		);
		expect(ruleToValues(created, TZ)).toEqual({ ...crossSell });
		await updateRule(
			sqliteStore(db),
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
		await setRuleActive(sqliteStore(db), seasonId, created.id, false, actor);
		await setRuleActive(sqliteStore(db), seasonId, created.id, false, actor); // no change, no audit
		await deleteRule(sqliteStore(db), seasonId, created.id, actor);
		expect(db.select().from(rule).all()).toEqual([]);
		expect(
			db
				.select({ action: auditEvent.action })
				.from(auditEvent)
				.all()
				.map((e) => e.action)
		).toEqual(['rule.create', 'rule.update', 'rule.deactivate', 'rule.delete']);
	});

	it('does not touch a rule of another season', async () => {
		const created = await createRule(sqliteStore(db), seasonId, draftOf(crossSell), actor);
		await expect(deleteRule(sqliteStore(db), seasonId + 1, created.id, actor)).rejects.toThrow(
			'This rule does not exist'
		);
	});
});
