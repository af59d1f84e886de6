import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Queryable } from '../db';
import { product } from '../db/schema';
import { audit, type Actor } from '../audit/record';
import { systemClock, type Clock } from '../shared/clock';
import { badRequest, notFound } from '../shared/errors';
import { priceProblem, readPrice } from '../../format/money';
import { points as pointsText } from '../../format/numbers';
import { m } from '../../paraglide/messages.js';

// A season's catalogue as managers edit it. Product changes only affect sales registered
// afterwards: past sales keep their points until the season is recalculated.

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

export function listCatalogue(db: Db, seasonId: number): ProductRow[] {
	return db
		.select()
		.from(product)
		.where(eq(product.seasonId, seasonId))
		.orderBy(product.category, product.name)
		.all();
}

export function skuTaken(db: Db, seasonId: number, sku: string): boolean {
	return !!db
		.select({ id: product.id })
		.from(product)
		.where(and(eq(product.seasonId, seasonId), eq(product.sku, sku.trim())))
		.get();
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

export function createProduct(
	db: Db,
	seasonId: number,
	input: ProductInput,
	actor: Actor,
	clock: Clock = systemClock
): ProductRow {
	const now = clock();
	return db.transaction(
		(tx) => {
			const clash = tx
				.select({ id: product.id })
				.from(product)
				.where(and(eq(product.seasonId, seasonId), eq(product.sku, input.sku)))
				.get();
			if (clash) {
				throw badRequest('duplicate_sku', m.products_error_sku_taken({ sku: input.sku }), {
					field: 'sku'
				});
			}
			const row = tx
				.insert(product)
				.values({ ...input, active: input.active ?? true, seasonId })
				.returning()
				.get();
			audit(tx, actor, 'product.create', `product:${row.id}`, { seasonId, ...input }, now);
			return row;
		},
		{ behavior: 'immediate' }
	);
}

/** The season's product with this id, or a 404. */
function requireProduct(tx: Queryable, seasonId: number, id: number): ProductRow {
	const row = tx
		.select()
		.from(product)
		.where(and(eq(product.id, id), eq(product.seasonId, seasonId)))
		.get();
	if (!row) throw notFound('not_found', m.products_error_missing());
	return row;
}

/** Updates everything but the SKU, which sales, rules and API clients refer to. */
export function updateProduct(
	db: Db,
	seasonId: number,
	id: number,
	input: Omit<ProductInput, 'sku'>,
	actor: Actor,
	clock: Clock = systemClock
): ProductRow {
	const now = clock();
	return db.transaction(
		(tx) => {
			const row = requireProduct(tx, seasonId, id);
			const changes = changedFields(row, { ...input, sku: row.sku });
			if (Object.keys(changes).length === 0) return row;
			const updated = tx
				.update(product)
				.set(editable(input, row))
				.where(eq(product.id, id))
				.returning()
				.get();
			audit(tx, actor, 'product.update', `product:${id}`, { seasonId, sku: row.sku, changes }, now);
			return updated;
		},
		{ behavior: 'immediate' }
	);
}

/** Inactive products leave the sell page; sales already registered keep their points. */
export function setProductActive(
	db: Db,
	seasonId: number,
	id: number,
	active: boolean,
	actor: Actor,
	clock: Clock = systemClock
): ProductRow {
	const now = clock();
	return db.transaction(
		(tx) => {
			const row = requireProduct(tx, seasonId, id);
			if (row.active === active) return row;
			const updated = tx
				.update(product)
				.set({ active })
				.where(eq(product.id, id))
				.returning()
				.get();
			const action = active ? 'product.activate' : 'product.deactivate';
			audit(tx, actor, action, `product:${id}`, { seasonId, sku: row.sku }, now);
			return updated;
		},
		{ behavior: 'immediate' }
	);
}

export interface ImportResult {
	added: number;
	/** Existing SKUs in the file, whether or not a value changed. */
	updated: number;
	/** Of the updated, those whose values were already the same. */
	unchanged: number;
}

/**
 * Adds new SKUs and updates existing ones, all in one transaction: either every row is
 * applied or none. Rows must already be validated (see products-csv.ts).
 */
export function importCatalogue(
	db: Db,
	seasonId: number,
	rows: readonly ProductInput[],
	actor: Actor,
	clock: Clock = systemClock
): ImportResult {
	const now = clock();
	return db.transaction(
		(tx) => {
			const existing = new Map(
				tx
					.select()
					.from(product)
					.where(eq(product.seasonId, seasonId))
					.all()
					.map((p) => [p.sku, p])
			);
			const added: string[] = [];
			const updated: { sku: string; changes: ReturnType<typeof changedFields> }[] = [];
			let unchanged = 0;
			for (const input of rows) {
				const row = existing.get(input.sku);
				if (!row) {
					tx.insert(product)
						.values({ ...input, active: input.active ?? true, seasonId })
						.run();
					added.push(input.sku);
					continue;
				}
				const changes = changedFields(row, input);
				if (Object.keys(changes).length === 0) {
					unchanged += 1;
					continue;
				}
				tx.update(product).set(editable(input, row)).where(eq(product.id, row.id)).run();
				updated.push({ sku: input.sku, changes });
			}
			audit(
				tx,
				actor,
				'catalogue.import',
				`season:${seasonId}`,
				{ rows: rows.length, added, updated, unchanged },
				now
			);
			return { added: added.length, updated: updated.length + unchanged, unchanged };
		},
		{ behavior: 'immediate' }
	);
}
