import { and, asc, eq } from 'drizzle-orm';
import type { RuleRow } from '../db/schema';
import type { Store, StoreDb } from '../db/store';
import { notFound } from '../shared/errors';
import { m } from '../../paraglide/messages.js';

// Reading the rules through the store (db/store.ts): one for the console, a season's list for
// the console and the pages. The lists the scoring engine reads are in engine.ts.

export async function getRule(
	store: Store,
	seasonId: number,
	id: number
): Promise<RuleRow | undefined> {
	return ruleIn(store.db, store, seasonId, id);
}

/** The rule of this season, or a 404 AppError: a form cannot reach another season's rule. */
export async function requireRuleInWrite(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	id: number
): Promise<RuleRow> {
	const row = await ruleIn(tx, store, seasonId, id);
	if (!row) throw notFound('not_found', m.rules_edit_missing());
	return row;
}

async function ruleIn(db: StoreDb, store: Store, seasonId: number, id: number) {
	const { rule } = store.tables;
	const [row] = await db
		.select()
		.from(rule)
		.where(and(eq(rule.id, id), eq(rule.seasonId, seasonId)));
	return row;
}

/** A season's rules, oldest first. */
export async function readRules(store: Store, seasonId: number): Promise<RuleRow[]> {
	const { rule } = store.tables;
	return store.db.select().from(rule).where(eq(rule.seasonId, seasonId)).orderBy(asc(rule.id));
}

/** Whether a rule is announced at `now`: on, highlighted and inside its window. */
export function isCampaignAt(r: RuleRow, now: number): boolean {
	return (
		r.active &&
		r.highlight &&
		(r.startsAt == null || r.startsAt <= now) &&
		(r.endsAt == null || now < r.endsAt)
	);
}
