// A batch that holds its sales' rows (an import's window on both dialects, a group of API sales on
// PostgreSQL) keeps the dashboard's rollups itself while the insert triggers stand aside
// (dashboard/held-rollups.ts, the rollups_held migrations). The three rollup tables must equal a
// rebuild from the sales, lines and ledger entries, as the triggers keep them, after the batch
// and after a confirmation, a rejection, a reversal and a delete (the triggers back on).
import { describe, expect, it } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import { importSalesOn } from '../../src/lib/server/imports/sales';
import { recordSaleGrouped } from '../../src/lib/server/scoring/group-commit';
import { reviewSales } from '../../src/lib/server/scoring/review';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { liveSeasonOn, phoneAndCaseOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('held-rollups');
const NOW = 1_900_000_000_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const clock = () => NOW;
const options = { dryRun: false, actor: {}, clock, windowMs: null, parseThread: null } as const;

/** Each rollup table's rows of a season, all-zero rows left out, in key order, as text. */
async function rollupsOf(store: Store, seasonId: number) {
	const { dashboardSlot, dashboardProductDay, dashboardLine } = store.tables;
	const slots = await store.db
		.select()
		.from(dashboardSlot)
		.where(eq(dashboardSlot.seasonId, seasonId));
	const days = await store.db
		.select()
		.from(dashboardProductDay)
		.where(eq(dashboardProductDay.seasonId, seasonId));
	const lines = await store.db
		.select()
		.from(dashboardLine)
		.where(eq(dashboardLine.seasonId, seasonId));
	return {
		slots: keyed(
			2,
			slots.map((r) => [r.teamId, r.slot, r.confirmed, r.provisional, r.sales, r.revenue])
		),
		days: keyed(
			3,
			days.map((r) => [r.teamId, r.productId, r.day, r.units, r.points])
		),
		lines: keyed(
			7,
			lines.map((r) => [
				r.productId,
				r.occurredAt,
				r.lineId,
				r.saleId,
				r.teamId,
				r.quantity,
				r.points
			])
		)
	};
}

/**
 * The rollups rebuilt from the season's sales, lines and ledger entries, by the rules of the
 * migrations' back-fill (drizzle/0008, with 0018's dating of an activity's points).
 */
async function rebuiltOf(store: Store, seasonId: number) {
	const { sale, saleLine, ledgerEntry, activity } = store.tables;
	const sales = await store.db.select().from(sale).where(eq(sale.seasonId, seasonId));
	const byId = new Map(sales.map((s) => [s.id, s]));
	const lines = sales.length
		? await store.db
				.select()
				.from(saleLine)
				.where(inArray(saleLine.saleId, [...byId.keys()]))
		: [];
	const entries = await store.db
		.select()
		.from(ledgerEntry)
		.where(eq(ledgerEntry.seasonId, seasonId));
	const activities = new Map(
		(await store.db.select().from(activity).where(eq(activity.seasonId, seasonId))).map((a) => [
			a.id,
			a
		])
	);
	const slots = new Map<string, number[]>();
	const add = (into: Map<string, number[]>, key: number[], sums: number[]) => {
		const row = into.get(key.join(':')) ?? [...key, ...sums.map(() => 0)];
		sums.forEach((v, i) => (row[key.length + i] += v));
		into.set(key.join(':'), row);
	};
	const stands = (status: string) => status === 'pending' || status === 'approved';
	for (const e of entries) {
		if (e.status === 'void') continue;
		const at =
			byId.get(e.saleId ?? -1)?.occurredAt ??
			(e.activityId ? activities.get(e.activityId)?.createdAt : undefined) ??
			e.createdAt;
		const confirmed = e.status === 'confirmed' ? e.points : 0;
		const provisional = e.status === 'provisional' ? e.points : 0;
		add(slots, [e.teamId, Math.trunc(at / 900_000)], [confirmed, provisional, 0, 0]);
	}
	for (const s of sales)
		if (stands(s.status))
			add(
				slots,
				[s.teamId, Math.trunc(s.occurredAt / 900_000)],
				[0, 0, 1, s.status === 'approved' ? s.amount : 0]
			);
	const days = new Map<string, number[]>();
	const lineRows: number[][] = [];
	for (const l of lines) {
		const s = byId.get(l.saleId)!;
		if (!stands(s.status)) continue;
		add(days, [s.teamId, l.productId, Math.trunc(s.occurredAt / DAY)], [l.quantity, l.points]);
		lineRows.push([l.productId, s.occurredAt, l.id, s.id, s.teamId, l.quantity, l.points]);
	}
	return {
		slots: keyed(2, [...slots.values()]),
		days: keyed(3, [...days.values()]),
		lines: keyed(7, lineRows)
	};
}

/**
 * Rows as sorted text (the season left out), those whose sums after the `key` first columns are
 * all zero (a key emptied since) left out too.
 */
function keyed(key: number, rows: unknown[][]): string[] {
	return rows
		.map((r) => r.map(Number))
		.filter((r) => r.length === key || r.slice(key).some((v) => v !== 0))
		.map((r) => r.join(' '))
		.sort();
}

async function expectRebuilt(store: Store, seasonId: number) {
	const kept = await rollupsOf(store, seasonId);
	expect(kept).toEqual(await rebuiltOf(store, seasonId));
	return kept;
}

describe.each(['sqlite', 'postgres'] as const)('the rollups of a held batch on %s', (dialect) => {
	it('equal a rebuild after an import, a group of API sales, reviews and a delete', async () => {
		const [a, b] = nodes[dialect];
		const s = await liveSeasonOn(a, { size: 4, teams: ['North', 'South'], endsAt: NOW + HOUR });
		await phoneAndCaseOn(a, s.seasonId);
		// Three phones (300 points) are above the limit: such a sale waits for a manager (pending).
		const { season } = a.tables;
		await a.db.update(season).set({ maxSalePoints: 250 }).where(eq(season.id, s.seasonId));
		const at = (ms: number) => new Date(ms).toISOString();
		const today = NOW - HOUR;
		const yesterday = NOW - DAY - 3 * HOUR;
		const api = (externalId: string, seller: number, occurredAt: number) =>
			recordSaleGrouped(
				a,
				{
					source: 'api',
					externalId,
					seller: { email: s.people[seller].email },
					occurredAt,
					lines: [{ sku: 'PHONE', quantity: 1, unitPrice: 50_000 }]
				},
				clock
			);
		// A slot and a product day that already have their rollup row before the import.
		await api('before-1', 0, today);

		const csv = [
			'externalId,sellerEmail,occurredAt,sku,quantity,unitPrice',
			...[0, 1, 2, 3].flatMap((p) => [
				`imp-${p}-a,${s.people[p].email},${at(today)},PHONE,1,50000`,
				`imp-${p}-a,${s.people[p].email},${at(today)},CASE,2,2000`,
				`imp-${p}-b,${s.people[p].email},${at(yesterday + p * 20 * 60_000)},CASE,1,2000`
			]),
			`imp-big,${s.people[1].email},${at(today)},PHONE,3,50000`,
			`imp-big2,${s.people[3].email},${at(yesterday)},PHONE,3,50000`,
			`imp-bad,${s.people[2].email},${at(today)},NOPE,1,100`
		];
		const report = await importSalesOn(a, csv.join('\n'), { ...options, batchSize: 4 });
		expect(report.sales).toEqual({ new: 10, duplicate: 0, rejected: 1 });
		const imported = await expectRebuilt(b, s.seasonId);
		expect(imported.lines).toHaveLength(1 + 4 * 2 + 4 + 2);
		// Pending sales' provisional points are in their slots.
		expect(imported.slots.some((r) => r.split(' ')[3] !== '0')).toBe(true);

		// A group of API sales (on PostgreSQL it holds its rows as a window does), then the file
		// again with one new sale: the replays add nothing, the new sale its own.
		await Promise.all([
			api('group-1', 2, today),
			api('group-2', 3, yesterday),
			api('group-3', 1, today)
		]);
		const again = [...csv, `imp-late,${s.people[2].email},${at(yesterday)},CASE,4,2000`];
		const replayed = await importSalesOn(a, again.join('\n'), { ...options, batchSize: 4 });
		expect(replayed.sales).toEqual({ new: 1, duplicate: 10, rejected: 1 });
		await expectRebuilt(b, s.seasonId);

		// Reviews and a delete go through the triggers, back on after the batches.
		const { sale } = a.tables;
		const idOf = async (externalId: string) =>
			(await a.db.select({ id: sale.id }).from(sale).where(eq(sale.externalId, externalId)))[0].id;
		const actor = { actor: { userId: null }, reason: 'Test' };
		await reviewSales(b, [await idOf('imp-big')], { decision: 'confirm', ...actor }, clock);
		await reviewSales(b, [await idOf('imp-1-b')], { decision: 'reverse', ...actor }, clock);
		await reviewSales(b, [await idOf('imp-big2')], { decision: 'reject', ...actor }, clock);
		await expectRebuilt(a, s.seasonId);
		// A sale deleted with its entries (its lines go with it).
		const { ledgerEntry } = a.tables;
		const deleted = await idOf('imp-3-a');
		await a.db.delete(ledgerEntry).where(eq(ledgerEntry.saleId, deleted));
		await a.db.delete(sale).where(eq(sale.id, deleted));
		const after = await expectRebuilt(b, s.seasonId);
		expect(after.lines).not.toEqual(imported.lines);
	});
});
