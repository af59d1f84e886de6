import * as z from 'zod';
import { productFields, type ProductInput } from './products';
import { readTable, rowErrors, writeCsv, type CsvError } from '../../csv';
import { centsToPrice } from '../../format/money';
import { m } from '../../paraglide/messages.js';

// The catalogue as a CSV file: `sku,name,category,points,price,active`, price in main units,
// `active` optional. Rows are numbered as a spreadsheet shows them: the header is row 1.

const CSV_COLUMNS = ['sku', 'name', 'category', 'points', 'price', 'active'] as const;
type Column = (typeof CSV_COLUMNS)[number];
const REQUIRED: readonly Column[] = ['sku', 'name', 'category', 'points', 'price'];

export const MAX_ROWS = 5000;

export interface CsvParseResult {
	rows: ProductInput[];
	errors: CsvError[];
}

const TRUE = new Set(['true', 'yes', 'y', '1', 'on', 'active']);
const FALSE = new Set(['false', 'no', 'n', '0', 'off', 'inactive']);

const rowSchema = z.object({
	...productFields,
	active: z
		.string()
		.trim()
		.transform((text, ctx) => {
			if (text === '') return undefined;
			const value = text.toLowerCase();
			if (TRUE.has(value)) return true;
			if (FALSE.has(value)) return false;
			ctx.addIssue({ code: 'custom', message: m.products_error_active() });
			return z.NEVER;
		})
});

/**
 * Parses and validates a whole file. `rows` is only meaningful when `errors` is empty: a file
 * with any bad row is imported not at all.
 */
export function parseCatalogueCsv(text: string): CsvParseResult {
	const table = readTable(text, {
		columns: CSV_COLUMNS,
		required: REQUIRED,
		maxRows: MAX_ROWS,
		rowsAre: 'products',
		whenEmpty: m.products_import_no_rows(),
		unescape: true
	});
	const errors = table.errors;
	const rows: ProductInput[] = [];
	const firstRowOf = new Map<string, number>();
	for (const { row, cells } of table.rows) {
		const result = rowSchema.safeParse(cells);
		if (!result.success) {
			errors.push(...rowErrors(row, result.error.issues));
			continue;
		}
		const first = firstRowOf.get(result.data.sku);
		if (first !== undefined) {
			errors.push({
				row,
				column: 'sku',
				message: m.products_error_sku_row({ sku: result.data.sku, row: first })
			});
			continue;
		}
		firstRowOf.set(result.data.sku, row);
		const { active, ...product } = result.data;
		rows.push(active === undefined ? product : { ...product, active });
	}
	errors.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
	return { rows: errors.length === 0 ? rows : [], errors };
}

/** The catalogue as a file that parseCatalogueCsv reads back unchanged. */
export function catalogueToCsv(
	products: readonly (Omit<ProductInput, 'active'> & { active: boolean })[]
): string {
	return writeCsv(
		CSV_COLUMNS,
		products.map((p) => [
			p.sku,
			p.name,
			p.category,
			String(p.points),
			centsToPrice(p.price),
			String(p.active)
		])
	);
}
