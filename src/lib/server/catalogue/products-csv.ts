import { z } from 'zod';
import { productFields, type ProductInput } from './products';
import { isBlankRecord, readCsv, unescapeCell, writeCsv, type CsvError } from '../shared/csv';
import { centsToPrice } from '../../format/money';

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
			ctx.addIssue({ code: 'custom', message: 'Active must be true or false (or left empty)' });
			return z.NEVER;
		})
});

/**
 * Parses and validates a whole file. `rows` is only meaningful when `errors` is empty: a file
 * with any bad row is imported not at all.
 */
export function parseCatalogueCsv(text: string): CsvParseResult {
	if (text.replace(/^\uFEFF/, '').trim() === '') {
		return { rows: [], errors: [{ row: null, column: null, message: 'The file is empty' }] };
	}
	const { records, errors } = readCsv(text);
	// A row that could not be read has no trustworthy values: its own error is enough.
	const unreadable = new Set(errors.map((e) => e.row));

	const header = (records[0] ?? []).map((cell) => cell.trim().toLowerCase());
	const seen = new Set<string>();
	for (const name of header) {
		if (name === '') {
			errors.push({ row: 1, column: null, message: 'The header has an empty column name' });
		} else if (!(CSV_COLUMNS as readonly string[]).includes(name)) {
			errors.push({
				row: 1,
				column: name,
				message: `Unknown column; expected ${CSV_COLUMNS.join(',')}`
			});
		} else if (seen.has(name)) {
			errors.push({ row: 1, column: name, message: 'This column appears twice' });
		}
		seen.add(name);
	}
	for (const name of REQUIRED) {
		if (!seen.has(name))
			errors.push({ row: 1, column: name, message: 'This column is missing from the header' });
	}
	if (errors.some((e) => e.row === 1)) return { rows: [], errors };

	const rows: ProductInput[] = [];
	const firstRowOf = new Map<string, number>();
	let dataRows = 0;
	for (let index = 1; index < records.length; index++) {
		const record = records[index];
		if (isBlankRecord(record)) continue;
		const row = index + 1;
		dataRows += 1;
		if (unreadable.has(row)) continue;
		if (dataRows > MAX_ROWS) {
			errors.push({ row, column: null, message: `A file can hold at most ${MAX_ROWS} products` });
			break;
		}
		const extra = record.slice(header.length);
		if (extra.some((cell) => cell.trim() !== '')) {
			const counts = `This row has ${record.length} values but the header has ${header.length} columns`;
			errors.push({
				row,
				column: null,
				message: `${counts} (a comma inside a name needs "quotes")`
			});
			continue;
		}
		const cell = (name: Column) => {
			const i = header.indexOf(name);
			return i < 0 ? '' : unescapeCell((record[i] ?? '').trim());
		};
		const result = rowSchema.safeParse(
			Object.fromEntries(CSV_COLUMNS.map((name) => [name, cell(name)]))
		);
		if (!result.success) {
			const reported = new Set<string>();
			for (const issue of result.error.issues) {
				const column = String(issue.path[0]);
				if (reported.has(column)) continue;
				reported.add(column);
				errors.push({ row, column, message: issue.message });
			}
			continue;
		}
		const first = firstRowOf.get(result.data.sku);
		if (first !== undefined) {
			errors.push({
				row,
				column: 'sku',
				message: `SKU ${result.data.sku} is already on row ${first}`
			});
			continue;
		}
		firstRowOf.set(result.data.sku, row);
		const { active, ...product } = result.data;
		rows.push(active === undefined ? product : { ...product, active });
	}
	if (dataRows === 0 && errors.length === 0) {
		errors.push({ row: null, column: null, message: 'The file has a header but no products' });
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
