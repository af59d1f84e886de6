// A badge award's ledger entries are read by the award (its net when it is withdrawn, its first
// entry's person and team, its provisional entries confirmed with its sale: badges/apply-in-write.ts,
// scoring/review.ts). Through ledger_award_idx (drizzle/0028, partial: award_id IS NOT NULL, so a
// sale's or an activity's entry costs it nothing); without it each read scanned the whole ledger.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { ledgerEntry } from '../../src/lib/server/db/schema';

let ctx: ReturnType<typeof tempDb>;
beforeEach(() => (ctx = tempDb()));
afterEach(() => ctx.cleanup());

function planOf(query: { toSQL(): { sql: string; params: unknown[] } }): string {
	const { sql: text, params } = query.toSQL();
	const rows = ctx.db.$client.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...params) as {
		detail: string;
	}[];
	return rows.map((row) => row.detail).join(' · ');
}

describe('an award’s ledger entries', () => {
	it('are read through the award index, as the award’s net and first entry read them', () => {
		const { db } = ctx;
		const net = db
			.select({ status: ledgerEntry.status, points: sql<number>`sum(${ledgerEntry.points})` })
			.from(ledgerEntry)
			.where(eq(ledgerEntry.awardId, 7))
			.groupBy(ledgerEntry.status);
		const first = db
			.select({ userId: ledgerEntry.userId })
			.from(ledgerEntry)
			.where(eq(ledgerEntry.awardId, 7))
			.orderBy(ledgerEntry.id)
			.limit(1);
		const provisional = db
			.select({ id: ledgerEntry.id })
			.from(ledgerEntry)
			.where(and(eq(ledgerEntry.awardId, 7), eq(ledgerEntry.status, 'provisional')));
		for (const query of [net, first, provisional]) {
			const plan = planOf(query);
			expect(plan).toContain('USING INDEX ledger_award_idx (award_id=?)');
			expect(plan).not.toMatch(/SCAN ledger_entry/);
		}
	});
});
