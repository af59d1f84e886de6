import { and, eq } from 'drizzle-orm';
import type { Queryable } from '../db';
import { rule, type RuleRow } from '../db/schema';
import { notFound } from '../shared/errors';
import { m } from '../../paraglide/messages.js';

// Reading one rule for the console. The lists the scoring engine reads are in engine.ts.

export function getRule(db: Queryable, seasonId: number, id: number): RuleRow | undefined {
	return db
		.select()
		.from(rule)
		.where(and(eq(rule.id, id), eq(rule.seasonId, seasonId)))
		.get();
}

/** The rule of this season, or a 404 AppError: a form cannot reach another season's rule. */
export function requireRule(db: Queryable, seasonId: number, id: number): RuleRow {
	const row = getRule(db, seasonId, id);
	if (!row) throw notFound('not_found', m.rules_edit_missing());
	return row;
}
