import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db';
import { product } from '../db/schema';
import { audit, type Actor } from '../audit/record';
import { systemClock, type Clock } from '../shared/clock';

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

export class CatalogueError extends Error {
	constructor(
		readonly code: 'not_found' | 'duplicate_sku',
		message: string,
		readonly field?: keyof ProductInput
	) {
		super(message);
	}
}

const MAX_PRICE_CENTS = 10_000_000_00;

/**
 * "1099", "1099.9", "1099.90" or "1099,90" (main units) in cents; null when it is not a plain
 * amount. Thousands separators are refused: "1,099" could mean either.
 */
export function priceToCents(text: string): number | null {
	const match = /^(\d{1,9})(?:[.,](\d{1,2}))?$/.exec(text.trim());
	if (!match) return null;
	const cents = Number(match[1]) * 100 + Number((match[2] ?? '0').padEnd(2, '0'));
	return cents <= MAX_PRICE_CENTS ? cents : null;
}

/** Cents as the plain amount forms and CSV files use: 109900 → "1099.00". */
export function centsToPrice(cents: number): string {
	return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

// Spreadsheets run cells that start with these as formulas; exports prefix them with "'"
// and imports drop that prefix again, so a file round-trips.
const FORMULA_START = /^[=+\-@\t\r]/;

export function unescapeCell(value: string): string {
	return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

export function escapeCell(value: string): string {
	return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The text fields as both the product form and the CSV import check them. */
export const productFields = {
	sku: z
		.string()
		.trim()
		.min(1, 'SKU is required')
		.max(64, 'SKU is too long (64 characters at most)')
		.regex(/^\S+$/, 'SKU cannot contain spaces'),
	name: z
		.string()
		.trim()
		.min(1, 'Name is required')
		.max(120, 'Name is too long (120 characters at most)'),
	category: z
		.string()
		.trim()
		.min(1, 'Category is required')
		.max(60, 'Category is too long (60 characters at most)'),
	points: z
		.string()
		.trim()
		.min(1, 'Points are required')
		.regex(/^\d+$/, 'Points must be a whole number, 0 or more')
		.transform(Number)
		.refine((n) => n <= 100_000, 'Points must be 100,000 or less'),
	price: z
		.string()
		.trim()
		.min(1, 'Price is required (use 0 if there is none)')
		.transform((text, ctx) => {
			const cents = priceToCents(text);
			if (cents === null) {
				ctx.addIssue({ code: 'custom', message: 'Price must be a plain amount like 1099.90' });
				return z.NEVER;
			}
			return cents;
		})
};

/** The product form: one product, price in main units, "active" as a checkbox. */
export const productFormSchema = z.object({
	...productFields,
	active: z.boolean()
});

export type FieldErrors = Partial<Record<keyof ProductInput, string>>;

export function parseProductForm(
	form: FormData
): { ok: true; input: ProductInput } | { ok: false; errors: FieldErrors } {
	const text = (key: string) => String(form.get(key) ?? '');
	const parsed = productFormSchema.safeParse({
		sku: text('sku'),
		name: text('name'),
		category: text('category'),
		points: text('points'),
		price: text('price'),
		active: form.get('active') === 'on'
	});
	if (parsed.success) return { ok: true, input: parsed.data };
	const errors: FieldErrors = {};
	for (const issue of parsed.error.issues) {
		const key = issue.path[0] as keyof ProductInput;
		errors[key] ??= issue.message;
	}
	return { ok: false, errors };
}

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
				throw new CatalogueError(
					'duplicate_sku',
					`SKU ${input.sku} is already in the catalogue`,
					'sku'
				);
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
			const row = tx
				.select()
				.from(product)
				.where(and(eq(product.id, id), eq(product.seasonId, seasonId)))
				.get();
			if (!row) throw new CatalogueError('not_found', 'This product is not in the catalogue');
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
			const row = tx
				.select()
				.from(product)
				.where(and(eq(product.id, id), eq(product.seasonId, seasonId)))
				.get();
			if (!row) throw new CatalogueError('not_found', 'This product is not in the catalogue');
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
 * applied or none. Rows must already be validated (see catalogue-csv.ts).
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
