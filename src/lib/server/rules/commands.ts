import { eq } from 'drizzle-orm';
import type { RuleRow } from '../db/schema';
import { write, type Store } from '../db/store';
import { auditInWrite, type Actor } from '../audit/record';
import { systemClock, type Clock } from '../shared/clock';
import { requireRuleInWrite } from './queries';
import type { RuleDraft } from './rule-form';

// Changing a season's rules. A rule change applies to sales registered from then on; sales
// already registered keep their points until the season is recalculated. Every change is one
// write (db/store.ts) with its audit entry: what one node saves every node's sales score by.

/** What the audit log keeps of a rule: enough to read or recreate it. */
function snapshot(row: RuleDraft & { name: string }) {
	const { name, active, highlight, startsAt, endsAt, target, effect, dailyCap } = row;
	return { name, active, highlight, startsAt, endsAt, target, effect, dailyCap };
}

export async function createRule(
	store: Store,
	seasonId: number,
	draft: RuleDraft,
	actor: Actor,
	clock: Clock = systemClock
): Promise<RuleRow> {
	const { rule } = store.tables;
	const now = clock();
	return write(store, async (tx) => {
		const [row] = await tx
			.insert(rule)
			.values({
				...draft,
				seasonId,
				createdById: actor.userId ?? null,
				createdAt: now,
				updatedAt: now
			})
			.returning();
		await auditInWrite(
			tx,
			store,
			actor,
			'rule.create',
			`rule:${row.id}`,
			{ seasonId, ...snapshot(draft) },
			now
		);
		return row;
	});
}

export async function updateRule(
	store: Store,
	seasonId: number,
	id: number,
	draft: RuleDraft,
	actor: Actor,
	clock: Clock = systemClock
): Promise<RuleRow> {
	const { rule } = store.tables;
	const now = clock();
	return write(store, async (tx) => {
		const before = await requireRuleInWrite(tx, store, seasonId, id);
		const [row] = await tx
			.update(rule)
			.set({ ...draft, updatedAt: now })
			.where(eq(rule.id, id))
			.returning();
		await auditInWrite(
			tx,
			store,
			actor,
			'rule.update',
			`rule:${id}`,
			{ seasonId, before: snapshot(before), after: snapshot(draft) },
			now
		);
		return row;
	});
}

export async function setRuleActive(
	store: Store,
	seasonId: number,
	id: number,
	active: boolean,
	actor: Actor,
	clock: Clock = systemClock
): Promise<RuleRow> {
	const { rule } = store.tables;
	const now = clock();
	return write(store, async (tx) => {
		const before = await requireRuleInWrite(tx, store, seasonId, id);
		if (before.active === active) return before;
		const [row] = await tx
			.update(rule)
			.set({ active, updatedAt: now })
			.where(eq(rule.id, id))
			.returning();
		await auditInWrite(
			tx,
			store,
			actor,
			active ? 'rule.activate' : 'rule.deactivate',
			`rule:${id}`,
			{ seasonId, name: before.name },
			now
		);
		return row;
	});
}

/**
 * Removes a rule. Sales it already scored keep their points and breakdowns (which name it),
 * unless the season is recalculated afterwards.
 */
export async function deleteRule(
	store: Store,
	seasonId: number,
	id: number,
	actor: Actor,
	clock: Clock = systemClock
): Promise<RuleRow> {
	const { rule } = store.tables;
	const now = clock();
	return write(store, async (tx) => {
		const before = await requireRuleInWrite(tx, store, seasonId, id);
		await tx.delete(rule).where(eq(rule.id, id));
		await auditInWrite(
			tx,
			store,
			actor,
			'rule.delete',
			`rule:${id}`,
			{ seasonId, ...snapshot(before) },
			now
		);
		return before;
	});
}
