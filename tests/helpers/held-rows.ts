// The rows a write that holds them (scoring/sale-rows.ts: an import's window, a group of API
// sales) leaves, read back and checked whole: each sale its own lines and one entry.
import { and, asc, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import type { Store } from '../../src/lib/server/db/store';

/**
 * The season's sales with their lines and ledger entries, its people's standings and the badge
 * facts' count of each person's sales: what a write that holds its rows (an import's window, a
 * group of API sales) wrote.
 */
export async function rowsOf(store: Store, s: { seasonId: number }) {
	const { sale, saleLine, ledgerEntry, standing, badgeTally } = store.tables;
	const sales = await store.db
		.select({ id: sale.id, externalId: sale.externalId, points: sale.points })
		.from(sale)
		.where(eq(sale.seasonId, s.seasonId))
		.orderBy(asc(sale.id));
	const lines = await store.db
		.select({ id: saleLine.id, saleId: saleLine.saleId })
		.from(saleLine)
		.innerJoin(sale, eq(sale.id, saleLine.saleId))
		.where(eq(sale.seasonId, s.seasonId));
	const entries = await store.db
		.select({
			id: ledgerEntry.id,
			saleId: ledgerEntry.saleId,
			userId: ledgerEntry.userId,
			points: ledgerEntry.points
		})
		.from(ledgerEntry)
		.where(eq(ledgerEntry.seasonId, s.seasonId));
	const standings = await store.db
		.select({ userId: standing.subjectId, points: standing.confirmedPoints })
		.from(standing)
		.where(and(eq(standing.seasonId, s.seasonId), eq(standing.subjectType, 'user')));
	const tallies = await store.db
		.select({ userId: badgeTally.subjectId, sales: badgeTally.value })
		.from(badgeTally)
		.where(
			and(
				eq(badgeTally.seasonId, s.seasonId),
				eq(badgeTally.subjectType, 'user'),
				eq(badgeTally.metric, 'sales')
			)
		);
	return { sales, lines, entries, standings, tallies };
}

/**
 * The sales numbered `counted` of `prefix` (`<prefix>-<n>`, two lines when n is even, else one),
 * each once with its lines and one entry of its points; ids unique; every standing its ledger's
 * sum; the badge facts' sales as many.
 */
export function expectWhole(
	rows: Awaited<ReturnType<typeof rowsOf>>,
	prefix: string,
	counted: number[]
) {
	const recorded = rows.sales.filter((r) => r.externalId.startsWith(`${prefix}-`));
	expect(recorded.map((r) => r.externalId).sort()).toEqual(
		counted.map((i) => `${prefix}-${i}`).sort()
	);
	for (const table of [rows.sales, rows.lines, rows.entries]) {
		const ids = table.map((r) => r.id);
		expect(new Set(ids).size).toBe(ids.length);
	}
	for (const sale of recorded) {
		const n = Number(sale.externalId.split('-').at(-1));
		expect(rows.lines.filter((l) => l.saleId === sale.id)).toHaveLength(n % 2 === 0 ? 2 : 1);
		expect(rows.entries.filter((e) => e.saleId === sale.id).map((e) => e.points)).toEqual([
			sale.points
		]);
	}
	const ledger = new Map<number, number>();
	for (const e of rows.entries) ledger.set(e.userId, (ledger.get(e.userId) ?? 0) + e.points);
	for (const { userId, points } of rows.standings.filter((r) => ledger.has(r.userId)))
		expect(points).toBe(ledger.get(userId));
	const salesOf = new Map<number, number>();
	for (const e of rows.entries.filter((e) => e.saleId !== null))
		salesOf.set(e.userId, (salesOf.get(e.userId) ?? 0) + 1);
	expect(new Map(rows.tallies.map((t) => [t.userId, t.sales]))).toEqual(salesOf);
}
