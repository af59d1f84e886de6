// A season's scoring rules as the console changes them, on the store (#20, db/store.ts): create,
// edit, switch on and off, delete and read one, with the same assertions on a temp SQLite file
// and a throwaway PostgreSQL (tests/helpers/postgres.ts). "Two nodes" are two stores on one
// database: two SQLite connections to one file, two PostgreSQL pools.
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/lib/server/db/store';
import {
	createRule,
	deleteRule,
	setRuleActive,
	updateRule
} from '../../src/lib/server/rules/commands';
import { getRule } from '../../src/lib/server/rules/queries';
import type { RuleDraft } from '../../src/lib/server/rules/rule-form';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { appErrorCode, auditsOf, liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('rules-store');

const MANAGER = {};
const crossSell: RuleDraft = {
	name: 'Cross-sell ×3',
	active: true,
	highlight: true,
	startsAt: null,
	endsAt: null,
	target: { kind: 'sku', sku: 'PHONE' },
	effect: { kind: 'multiplier', factor: 3 },
	dailyCap: null
};

async function newSeason(store: Store) {
	return (await liveSeasonOn(store, { size: 0, teams: ['A'], endsAt: 1e13 })).seasonId;
}

const auditsOfRule = (store: Store, id: number) => auditsOf(store, `rule:${id}`);

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i];

	it('a rule made on one node is read on the other, in its season only, audited once', async () => {
		const seasonId = await newSeason(node(0));
		const made = await createRule(node(0), seasonId, crossSell, MANAGER, () => 5_000);
		expect(await getRule(node(1), seasonId, made.id)).toMatchObject({
			...crossSell,
			seasonId,
			createdAt: 5_000,
			updatedAt: 5_000
		});
		expect(await getRule(node(1), await newSeason(node(1)), made.id)).toBeUndefined();
		expect(await auditsOfRule(node(1), made.id)).toEqual([
			{ action: 'rule.create', data: { seasonId, ...crossSell } }
		]);
	});

	it('an edit and a switch-off on two nodes at once take turns: the later one sees what the earlier left', async () => {
		const seasonId = await newSeason(node(0));
		const made = await createRule(node(0), seasonId, crossSell, MANAGER);
		const weaker = { ...crossSell, effect: { kind: 'multiplier' as const, factor: 2 } };
		await Promise.all([
			updateRule(node(0), seasonId, made.id, weaker, MANAGER),
			setRuleActive(node(1), seasonId, made.id, false, MANAGER)
		]);
		const audits = await auditsOfRule(node(0), made.id);
		expect(audits.map((a) => a.action).sort()).toEqual([
			'rule.create',
			'rule.deactivate',
			'rule.update'
		]);
		const update = audits.find((a) => a.action === 'rule.update')!;
		const updatedFirst = audits.indexOf(update) === 1;
		// The edit's "before" is what it replaced: still active if it ran first. The editor's form
		// holds the switch too, so an edit saved after the switch-off turns the rule on again.
		expect((update.data as { before: { active: boolean } }).before.active).toBe(updatedFirst);
		expect(await getRule(node(1), seasonId, made.id)).toMatchObject({
			effect: { kind: 'multiplier', factor: 2 },
			active: !updatedFirst
		});
		// Switching to what it is already writes nothing.
		await setRuleActive(node(0), seasonId, made.id, !updatedFirst, MANAGER);
		expect(await auditsOfRule(node(1), made.id)).toHaveLength(3);
	});

	it('a delete and an edit on two nodes at once: the rule is gone and a late edit is refused', async () => {
		const seasonId = await newSeason(node(0));
		const made = await createRule(node(0), seasonId, crossSell, MANAGER);
		const [removed, edited] = await Promise.all([
			appErrorCode(() => deleteRule(node(0), seasonId, made.id, MANAGER)),
			appErrorCode(() =>
				updateRule(node(1), seasonId, made.id, { ...crossSell, name: 'Renamed' }, MANAGER)
			)
		]);
		expect(removed).toBe('ok');
		expect(['ok', 'not_found']).toContain(edited);
		expect(await getRule(node(1), seasonId, made.id)).toBeUndefined();
		const actions = (await auditsOfRule(node(0), made.id)).map((a) => a.action);
		expect(actions).toEqual(
			edited === 'ok'
				? ['rule.create', 'rule.update', 'rule.delete']
				: ['rule.create', 'rule.delete']
		);
	});

	it("another season's rule is refused by every command, and nothing is written", async () => {
		const seasonId = await newSeason(node(0));
		const other = await newSeason(node(0));
		const made = await createRule(node(0), seasonId, crossSell, MANAGER);
		expect(await appErrorCode(() => updateRule(node(1), other, made.id, crossSell, MANAGER))).toBe(
			'not_found'
		);
		expect(await appErrorCode(() => setRuleActive(node(1), other, made.id, false, MANAGER))).toBe(
			'not_found'
		);
		expect(await appErrorCode(() => deleteRule(node(0), other, made.id, MANAGER))).toBe(
			'not_found'
		);
		expect(await getRule(node(0), seasonId, made.id)).toMatchObject({ ...crossSell });
		expect(await auditsOfRule(node(1), made.id)).toHaveLength(1);
	});
});
