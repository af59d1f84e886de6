// A season's sales and ledger exports, and which season an export is for, on the store (#20,
// db/store.ts), with the same assertions on a temp SQLite file and a throwaway PostgreSQL
// (tests/helpers/postgres.ts). "Two nodes" are two stores on one database: what one writes, the
// other's export holds.
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { ledgerCsv, salesCsv } from '../../src/lib/server/exports/season-csv';
import { exportableSeasons, exportSeason } from '../../src/lib/server/exports/seasons';
import { sheetFor } from '../../src/lib/server/exports/sheet-format';
import type { Store } from '../../src/lib/server/db/store';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('exports-store');

const AT = Date.UTC(2026, 2, 14, 9, 30);
const BREAKDOWN = {
	items: [
		{ label: 'Phone Pro ×2', points: 100 },
		{ label: 'Cross-sell ×3', points: 200 }
	]
};

/** A season of two people with one sale of two lines (approved), its ledger entry and a manual adjustment. */
async function seasonWithSales(writer: Store) {
	const s = await liveSeasonOn(writer, { size: 2, teams: ['North', 'South'], endsAt: 1e13 });
	const { product, sale, saleLine, ledgerEntry } = writer.tables;
	const products = await writer.db
		.insert(product)
		.values([
			{ seasonId: s.seasonId, sku: 'PHONE', name: 'Phone Pro', category: 'Phones', points: 50 },
			{ seasonId: s.seasonId, sku: 'CASE', name: 'Case', category: 'Accessories', points: 10 }
		])
		.returning({ id: product.id });
	const [ann, bob] = s.people;
	const [one] = await writer.db
		.insert(sale)
		.values({
			seasonId: s.seasonId,
			source: 'api',
			externalId: `crm-${s.seasonId}`,
			sellerId: ann.id,
			teamId: s.teamIds[0],
			occurredAt: AT,
			amount: 219_800,
			status: 'approved',
			points: 300,
			breakdown: BREAKDOWN
		})
		.returning({ id: sale.id });
	await writer.db.insert(saleLine).values([
		{ saleId: one.id, productId: products[0].id, quantity: 2, unitPrice: 109_900, points: 100 },
		{ saleId: one.id, productId: products[1].id, quantity: 3, unitPrice: 1_999, points: 200 }
	]);
	await writer.db.insert(ledgerEntry).values([
		{
			seasonId: s.seasonId,
			userId: ann.id,
			teamId: s.teamIds[0],
			saleId: one.id,
			kind: 'sale',
			points: 300,
			status: 'confirmed',
			breakdown: BREAKDOWN,
			createdAt: AT
		},
		{
			seasonId: s.seasonId,
			userId: bob.id,
			teamId: s.teamIds[1],
			kind: 'adjustment',
			points: -25,
			status: 'confirmed',
			reason: 'Returned, "late"',
			createdAt: AT + 60_000
		}
	]);
	return { ...s, ann, bob };
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i];

	it('the sales written on one node are the other’s export, a row per line, in either sheet format', async () => {
		const s = await seasonWithSales(node(0));
		const lines = (await salesCsv(node(1), s.seasonId)).trim().split(/\r?\n/);
		expect(lines).toEqual([
			'externalId,source,seller,sellerEmail,team,occurredAt,sku,product,quantity,unitPrice,status,linePoints,salePoints,breakdown,currency',
			`crm-${s.seasonId},api,${s.ann.name},${s.ann.email},North,2026-03-14T09:30:00.000Z,PHONE,Phone Pro,2,1099.00,approved,100,300,Phone Pro ×2: +100; Cross-sell ×3: +200,EUR`,
			`crm-${s.seasonId},api,${s.ann.name},${s.ann.email},North,2026-03-14T09:30:00.000Z,CASE,Case,3,19.99,approved,200,300,Phone Pro ×2: +100; Cross-sell ×3: +200,EUR`
		]);
		// The Excel sheet of a Paris season: semicolons, decimal commas, local times.
		const excel = await salesCsv(node(0), s.seasonId, sheetFor('excel-eu', 'Europe/Paris'));
		expect(excel.split(/\r?\n/)[1]).toContain(';2026-03-14 10:30:00;PHONE;Phone Pro;2;1099,00;');
	});

	it('the ledger export holds every entry in the order written, with the reason or the breakdown', async () => {
		const s = await seasonWithSales(node(1));
		const lines = (await ledgerCsv(node(0), s.seasonId)).trim().split(/\r?\n/);
		expect(lines[0]).toBe(
			'id,createdAt,user,userEmail,team,kind,points,status,saleExternalId,note'
		);
		expect(lines.slice(1).map((l) => l.replace(/^\d+,/, ''))).toEqual([
			`2026-03-14T09:30:00.000Z,${s.ann.name},${s.ann.email},North,sale,300,confirmed,crm-${s.seasonId},Phone Pro ×2: +100; Cross-sell ×3: +200`,
			`2026-03-14T09:31:00.000Z,${s.bob.name},${s.bob.email},South,adjustment,-25,confirmed,,"Returned, ""late"""`
		]);
	});

	it('a season with nothing sold exports the header only', async () => {
		const s = await liveSeasonOn(node(0), { size: 1, teams: ['A'], endsAt: 1e13 });
		expect((await salesCsv(node(1), s.seasonId)).trim().split(/\r?\n/)).toHaveLength(1);
		expect((await ledgerCsv(node(1), s.seasonId)).trim().split(/\r?\n/)).toHaveLength(1);
	});

	it('an export is for the season asked for, else the live one started last; drafts are not offered', async () => {
		const draft = await liveSeasonOn(node(0), {
			size: 1,
			teams: ['D'],
			endsAt: 1e13,
			status: 'draft'
		});
		const live = await liveSeasonOn(node(0), { size: 1, teams: ['L'], endsAt: 1e13 });
		const { season } = node(0).tables;
		await node(0).db.update(season).set({ startsAt: 1e12 }).where(eq(season.id, live.seasonId));
		expect((await exportSeason(node(1), null))?.id).toBe(live.seasonId);
		expect((await exportSeason(node(1), draft.seasonId))?.status).toBe('draft');
		expect(await exportSeason(node(1), 1e9)).toBeNull();
		const offered = (await exportableSeasons(node(1))).map((r) => r.id);
		expect(offered[0]).toBe(live.seasonId);
		expect(offered).not.toContain(draft.seasonId);
	});
});
