// A season's catalogue on the store (#20, db/store.ts): the products console's list, its SKU
// check, create, edit, switch on and off, and the CSV import, with the same assertions on a temp
// SQLite file and a throwaway PostgreSQL (tests/helpers/postgres.ts). "Two nodes" are two stores
// on one database: two SQLite connections to one file, two PostgreSQL pools.
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/lib/server/db/store';
import {
	createProduct,
	importCatalogue,
	listCatalogue,
	setProductActive,
	skuTaken,
	updateProduct,
	type ProductInput
} from '../../src/lib/server/catalogue/products';
import { MAX_ROWS } from '../../src/lib/server/catalogue/products-csv';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { appErrorCode, auditsOf, liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('catalogue-store');

const MANAGER = {};
const phone: ProductInput = {
	sku: 'PHONE',
	name: 'Phone Pro',
	category: 'Phones',
	points: 40,
	price: 99_900
};
/** What an edit sends: everything but the SKU. */
const rest = {
	name: phone.name,
	category: phone.category,
	points: phone.points,
	price: phone.price
};

async function newSeason(store: Store) {
	return (await liveSeasonOn(store, { size: 0, teams: ['A'], endsAt: 1e13 })).seasonId;
}

const summary = (rows: Awaited<ReturnType<typeof listCatalogue>>) =>
	rows.map(({ sku, name, points, price, active }) => ({ sku, name, points, price, active }));

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i];

	it('a product added on one node is listed and its SKU taken on the other, audited once', async () => {
		const seasonId = await newSeason(node(0));
		const made = await createProduct(node(0), seasonId, phone, MANAGER);
		expect(made).toMatchObject({ ...phone, active: true, seasonId });
		expect(summary(await listCatalogue(node(1), seasonId))).toEqual([
			{ sku: 'PHONE', name: 'Phone Pro', points: 40, price: 99_900, active: true }
		]);
		expect(await skuTaken(node(1), seasonId, ' PHONE ')).toBe(true);
		expect(await skuTaken(node(1), seasonId, 'CASE')).toBe(false);
		// Another season's catalogue is its own.
		expect(await skuTaken(node(1), await newSeason(node(1)), 'PHONE')).toBe(false);
		expect(await auditsOf(node(1), `product:${made.id}`)).toEqual([
			{ action: 'product.create', data: { seasonId, ...phone } }
		]);
	});

	it('one SKU added on two nodes at once is added once; the other is told it is taken', async () => {
		const seasonId = await newSeason(node(0));
		const codes = await Promise.all([
			appErrorCode(() => createProduct(node(0), seasonId, phone, MANAGER)),
			appErrorCode(() => createProduct(node(1), seasonId, { ...phone, name: 'Other' }, MANAGER))
		]);
		expect(codes.sort()).toEqual(['duplicate_sku', 'ok']);
		const rows = await listCatalogue(node(0), seasonId);
		expect(rows).toHaveLength(1);
		expect(await auditsOf(node(1), `product:${rows[0].id}`)).toHaveLength(1);
	});

	it('an edit and a switch-off on two nodes at once both land, each audited with what it changed', async () => {
		const seasonId = await newSeason(node(0));
		const made = await createProduct(node(0), seasonId, phone, MANAGER);
		await Promise.all([
			updateProduct(node(0), seasonId, made.id, { ...rest, points: 55 }, MANAGER),
			setProductActive(node(1), seasonId, made.id, false, MANAGER)
		]);
		expect(summary(await listCatalogue(node(1), seasonId))).toEqual([
			{ sku: 'PHONE', name: 'Phone Pro', points: 55, price: 99_900, active: false }
		]);
		const audits = await auditsOf(node(0), `product:${made.id}`);
		expect(audits.map((a) => a.action).sort()).toEqual([
			'product.create',
			'product.deactivate',
			'product.update'
		]);
		expect(audits.find((a) => a.action === 'product.update')?.data).toEqual({
			seasonId,
			sku: 'PHONE',
			changes: { points: { from: 40, to: 55 } }
		});
		// Saving what is already there writes nothing.
		await setProductActive(node(0), seasonId, made.id, false, MANAGER);
		await updateProduct(node(1), seasonId, made.id, { ...rest, points: 55 }, MANAGER);
		expect(await auditsOf(node(1), `product:${made.id}`)).toHaveLength(3);
	});

	it('a product of another season, or none, is refused and nothing is written', async () => {
		const seasonId = await newSeason(node(0));
		const other = await newSeason(node(0));
		const made = await createProduct(node(0), seasonId, phone, MANAGER);
		expect(
			await appErrorCode(() =>
				updateProduct(node(1), other, made.id, { ...rest, points: 1 }, MANAGER)
			)
		).toBe('not_found');
		expect(await appErrorCode(() => setProductActive(node(1), seasonId, 1e9, false, MANAGER))).toBe(
			'not_found'
		);
		expect(summary(await listCatalogue(node(0), seasonId))).toEqual([
			{ sku: 'PHONE', name: 'Phone Pro', points: 40, price: 99_900, active: true }
		]);
		expect(await auditsOf(node(0), `product:${made.id}`)).toHaveLength(1);
	});

	it('an import adds and updates in one write, a full file too; one audit entry each', async () => {
		const seasonId = await newSeason(node(0));
		await createProduct(node(0), seasonId, phone, MANAGER);
		await createProduct(
			node(0),
			seasonId,
			{ ...phone, sku: 'CASE', name: 'Case', points: 5 },
			MANAGER
		);
		const result = await importCatalogue(
			node(1),
			seasonId,
			[
				{ ...phone, points: 50, active: false },
				{ ...phone, sku: 'CASE', name: 'Case', points: 5 },
				{ sku: 'NEW', name: 'New', category: 'Gadgets', points: 1, price: 100 }
			],
			MANAGER
		);
		expect(result).toEqual({ added: 1, updated: 2, unchanged: 1 });
		expect(summary(await listCatalogue(node(0), seasonId))).toEqual([
			{ sku: 'NEW', name: 'New', points: 1, price: 100, active: true },
			{ sku: 'CASE', name: 'Case', points: 5, price: 99_900, active: true },
			{ sku: 'PHONE', name: 'Phone Pro', points: 50, price: 99_900, active: false }
		]);
		const [entry] = await auditsOf(node(0), `season:${seasonId}`);
		expect(entry.data).toMatchObject({ rows: 3, added: ['NEW'], unchanged: 1 });

		// The largest file the import takes goes in whole (more rows than one statement holds).
		const many = Array.from({ length: MAX_ROWS }, (_, i) => ({
			sku: `SKU-${i}`,
			name: `Item ${i}`,
			category: 'Bulk',
			points: i % 100,
			price: 100 + i
		}));
		const bulk = await newSeason(node(1));
		expect(await importCatalogue(node(0), bulk, many, MANAGER)).toEqual({
			added: MAX_ROWS,
			updated: 0,
			unchanged: 0
		});
		expect(await listCatalogue(node(1), bulk)).toHaveLength(MAX_ROWS);
	});

	it('an import that fails part-way leaves the catalogue as it was', async () => {
		const seasonId = await newSeason(node(0));
		await createProduct(node(0), seasonId, phone, MANAGER);
		// Two new rows with one SKU: the second insert breaks the season's unique SKU.
		const broken = [
			{ ...phone, points: 99 },
			{ sku: 'DUP', name: 'One', category: 'X', points: 1, price: 1 },
			{ sku: 'DUP', name: 'Two', category: 'X', points: 2, price: 2 }
		];
		await expect(importCatalogue(node(1), seasonId, broken, MANAGER)).rejects.toThrow();
		expect(summary(await listCatalogue(node(0), seasonId))).toEqual([
			{ sku: 'PHONE', name: 'Phone Pro', points: 40, price: 99_900, active: true }
		]);
		expect(await auditsOf(node(0), `season:${seasonId}`)).toEqual([]);
	});
});
