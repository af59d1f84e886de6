import { eq } from 'drizzle-orm';
import type { Db } from '../db';
import { rule, type RuleRow } from '../db/schema';
import { audit, type Actor } from '../audit/record';
import { systemClock, type Clock } from '../shared/clock';
import { requireRule } from './queries';
import type { RuleDraft } from './rule-form';

// Changing a season's rules. A rule change applies to sales registered from then on; sales
// already registered keep their points until the season is recalculated. Every change is
// audited.

/** What the audit log keeps of a rule: enough to read or recreate it. */
function snapshot(row: RuleDraft & { name: string }) {
	const { name, active, highlight, startsAt, endsAt, target, effect, dailyCap } = row;
	return { name, active, highlight, startsAt, endsAt, target, effect, dailyCap };
}

export function createRule(
	db: Db,
	seasonId: number,
	draft: RuleDraft,
	actor: Actor,
	clock: Clock = systemClock
): RuleRow {
	const now = clock();
	return db.transaction(
		(tx) => {
			const row = tx
				.insert(rule)
				.values({
					...draft,
					seasonId,
					createdById: actor.userId ?? null,
					createdAt: now,
					updatedAt: now
				})
				.returning()
				.get();
			audit(tx, actor, 'rule.create', `rule:${row.id}`, { seasonId, ...snapshot(draft) }, now);
			return row;
		},
		{ behavior: 'immediate' }
	);
}

export function updateRule(
	db: Db,
	seasonId: number,
	id: number,
	draft: RuleDraft,
	actor: Actor,
	clock: Clock = systemClock
): RuleRow {
	const now = clock();
	return db.transaction(
		(tx) => {
			const before = requireRule(tx, seasonId, id);
			const row = tx
				.update(rule)
				.set({ ...draft, updatedAt: now })
				.where(eq(rule.id, id))
				.returning()
				.get();
			audit(
				tx,
				actor,
				'rule.update',
				`rule:${id}`,
				{ seasonId, before: snapshot(before), after: snapshot(draft) },
				now
			);
			return row;
		},
		{ behavior: 'immediate' }
	);
}

export function setRuleActive(
	db: Db,
	seasonId: number,
	id: number,
	active: boolean,
	actor: Actor,
	clock: Clock = systemClock
): RuleRow {
	const now = clock();
	return db.transaction(
		(tx) => {
			const before = requireRule(tx, seasonId, id);
			if (before.active === active) return before;
			const row = tx
				.update(rule)
				.set({ active, updatedAt: now })
				.where(eq(rule.id, id))
				.returning()
				.get();
			audit(
				tx,
				actor,
				active ? 'rule.activate' : 'rule.deactivate',
				`rule:${id}`,
				{ seasonId, name: before.name },
				now
			);
			return row;
		},
		{ behavior: 'immediate' }
	);
}

/**
 * Removes a rule. Sales it already scored keep their points and breakdowns (which name it),
 * unless the season is recalculated afterwards.
 */
export function deleteRule(
	db: Db,
	seasonId: number,
	id: number,
	actor: Actor,
	clock: Clock = systemClock
): RuleRow {
	const now = clock();
	return db.transaction(
		(tx) => {
			const before = requireRule(tx, seasonId, id);
			tx.delete(rule).where(eq(rule.id, id)).run();
			audit(tx, actor, 'rule.delete', `rule:${id}`, { seasonId, ...snapshot(before) }, now);
			return before;
		},
		{ behavior: 'immediate' }
	);
}
