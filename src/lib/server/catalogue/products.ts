import { and, eq } from 'drizzle-orm';
import * as z from 'zod';
import type { product } from '../db/schema';
import { write, type Store, type StoreDb } from '../db/store';
import { auditInWrite, type Actor } from '../audit/record';
import { systemClock, type Clock } from '../shared/clock';
import { badRequest, notFound } from '../shared/errors';
import { priceProblem, readPrice } from '../../format/money';
import { points as pointsText } from '../../format/numbers';
import { m } from '../../paraglide/messages.js';

// A season's catalogue as managers edit it. Product changes only affect sales registered
// afterwards: past sales keep their points until the season is recalculated. On the store
// (db/store.ts): each change is one write with its audit entry, so what one node saves every
// node's sell page and sales read, and two saves of one product at once take turns.

export type ProductRow = typeof product.$inferSelect;

/** One product as a form or a CSV row gives it; price in cents. */
export interface ProductInput {
	sku: string;
	name: string;
	category: string;
	points: number;
	price: number;
	/** Missing: a new product is active, an existing one keeps its state. */
	active?: boolean;
}

/** A product's limits, stated once for the form, the CSV import and their messages. */
export const PRODUCT_LIMITS = { sku: 64, name: 120, category: 60, points: 100_000 } as const;

/** The text fields as both the product form and the CSV import check them. */
export const productFields = {
	sku: z
		.string()
		.trim()
		.min(1, { error: () => m.products_error_sku() })
		.max(PRODUCT_LIMITS.sku, {
			error: () => m.products_error_sku_long({ max: PRODUCT_LIMITS.sku })
		})
		.regex(/^\S+$/, { error: () => m.products_error_sku_spaces() }),
	name: z
		.string()
		.trim()
		.min(1, { error: () => m.products_error_name() })
		.max(PRODUCT_LIMITS.name, {
			error: () => m.products_error_name_long({ max: PRODUCT_LIMITS.name })
		}),
	category: z
		.string()
		.trim()
		.min(1, { error: () => m.products_error_category() })
		.max(PRODUCT_LIMITS.category, {
			error: () => m.products_error_category_long({ max: PRODUCT_LIMITS.category })
		}),
	points: z
		.string()
		.trim()
		.min(1, { error: () => m.products_error_points() })
		.regex(/^\d+$/, { error: () => m.products_error_points_whole() })
		.transform(Number)
		.refine((n) => n <= PRODUCT_LIMITS.points, {
			error: () => m.products_error_points_max({ max: pointsText(PRODUCT_LIMITS.points) })
		}),
	price: z
		.string()
		.trim()
		.min(1, { error: () => m.products_error_price() })
		.transform((text, ctx) => {
			const price = readPrice(text);
			if (!price.ok) {
				ctx.addIssue({ code: 'custom', message: priceProblem(m.products_price(), price.reason) });
				return z.NEVER;
			}
			return price.cents;
		})
};

export async function listCatalogue(store: Store, seasonId: number): Promise<ProductRow[]> {
	const { product } = store.tables;
	return store.db
		.select()
		.from(product)
		.where(eq(product.seasonId, seasonId))
		.orderBy(product.category, product.name);
}

export async function skuTaken(store: Store, seasonId: number, sku: string): Promise<boolean> {
	const { product } = store.tables;
	const [row] = await store.db
		.select({ id: product.id })
		.from(product)
		.where(and(eq(product.seasonId, seasonId), eq(product.sku, sku.trim())));
	return row !== undefined;
}

/** The columns an edit or an import may change; a missing `active` keeps the current one. */
function editable(input: Omit<ProductInput, 'sku'>, row: ProductRow) {
	const { name, category, points, price } = input;
	return { name, category, points, price, active: input.active ?? row.active };
}

function changedFields(row: ProductRow, input: ProductInput) {
	const changes: Record<string, { from: unknown; to: unknown }> = {};
	for (const key of ['name', 'category', 'points', 'price', 'active'] as const) {
		const to = input[key];
		if (to !== undefined && row[key] !== to) changes[key] = { from: row[key], to };
	}
	return changes;
}

export async function createProduct(
	store: Store,
	seasonId: number,
	input: ProductInput,
	actor: Actor,
	clock: Clock = systemClock
): Promise<ProductRow> {
	const { product } = store.tables;
	const now = clock();
	return write(store, async (tx) => {
		const [clash] = await tx
			.select({ id: product.id })
			.from(product)
			.where(and(eq(product.seasonId, seasonId), eq(product.sku, input.sku)));
		if (clash) {
			throw badRequest('duplicate_sku', m.products_error_sku_taken({ sku: input.sku }), {
				field: 'sku'
			});
		}
		const [row] = await tx
			.insert(product)
			.values({ ...input, active: input.active ?? true, seasonId })
			.returning();
		await auditInWrite(
			tx,
			store,
			actor,
			'product.create',
			`product:${row.id}`,
			{ seasonId, ...input },
			now
		);
		return row;
	});
}

/** The season's product with this id, or a 404. */
async function requireProductInWrite(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	id: number
): Promise<ProductRow> {
	const { product } = store.tables;
	const [row] = await tx
		.select()
		.from(product)
		.where(and(eq(product.id, id), eq(product.seasonId, seasonId)));
	if (!row) throw notFound('not_found', m.products_error_missing());
	return row;
}

/** Updates everything but the SKU, which sales, rules and API clients refer to. */
export async function updateProduct(
	store: Store,
	seasonId: number,
	id: number,
	input: Omit<ProductInput, 'sku'>,
	actor: Actor,
	clock: Clock = systemClock
): Promise<ProductRow> {
	const { product } = store.tables;
	const now = clock();
	return write(store, async (tx) => {
		const row = await requireProductInWrite(tx, store, seasonId, id);
		const changes = changedFields(row, { ...input, sku: row.sku });
		if (Object.keys(changes).length === 0) return row;
		const [updated] = await tx
			.update(product)
			.set(editable(input, row))
			.where(eq(product.id, id))
			.returning();
		await auditInWrite(
			tx,
			store,
			actor,
			'product.update',
			`product:${id}`,
			{ seasonId, sku: row.sku, changes },
			now
		);
		return updated;
	});
}

/** Inactive products leave the sell page; sales already registered keep their points. */
export async function setProductActive(
	store: Store,
	seasonId: number,
	id: number,
	active: boolean,
	actor: Actor,
	clock: Clock = systemClock
): Promise<ProductRow> {
	const { product } = store.tables;
	const now = clock();
	return write(store, async (tx) => {
		const row = await requireProductInWrite(tx, store, seasonId, id);
		if (row.active === active) return row;
		const [updated] = await tx
			.update(product)
			.set({ active })
			.where(eq(product.id, id))
			.returning();
		const action = active ? 'product.activate' : 'product.deactivate';
		await auditInWrite(tx, store, actor, action, `product:${id}`, { seasonId, sku: row.sku }, now);
		return updated;
	});
}

const INSERT_CHUNK = 500;

export interface ImportResult {
	added: number;
	/** Existing SKUs in the file, whether or not a value changed. */
	updated: number;
	/** Of the updated, those whose values were already the same. */
	unchanged: number;
}

/**
 * Adds new SKUs and updates existing ones, all in one write: either every row is applied or
 * none. Rows must already be validated (see products-csv.ts).
 */
export async function importCatalogue(
	store: Store,
	seasonId: number,
	rows: readonly ProductInput[],
	actor: Actor,
	clock: Clock = systemClock
): Promise<ImportResult> {
	const { product } = store.tables;
	const now = clock();
	return write(store, async (tx) => {
		const existing = new Map(
			(await tx.select().from(product).where(eq(product.seasonId, seasonId))).map((p) => [p.sku, p])
		);
		const added: ProductInput[] = [];
		const updated: { sku: string; changes: ReturnType<typeof changedFields> }[] = [];
		let unchanged = 0;
		for (const input of rows) {
			const row = existing.get(input.sku);
			if (!row) {
				added.push(input);
				continue;
			}
			const changes = changedFields(row, input);
			if (Object.keys(changes).length === 0) {
				unchanged += 1;
				continue;
			}
			await tx.update(product).set(editable(input, row)).where(eq(product.id, row.id));
			updated.push({ sku: input.sku, changes });
		}
		// The new ones a few hundred to a statement: within both dialects' limits on parameters.
		for (let from = 0; from < added.length; from += INSERT_CHUNK)
			await tx
				.insert(product)
				.values(
					added
						.slice(from, from + INSERT_CHUNK)
						.map((input) => ({ ...input, active: input.active ?? true, seasonId }))
				);
		await auditInWrite(
			tx,
			store,
			actor,
			'catalogue.import',
			`season:${seasonId}`,
			{ rows: rows.length, added: added.map((a) => a.sku), updated, unchanged },
			now
		);
		return { added: added.length, updated: updated.length + unchanged, unchanged };
	});
}
