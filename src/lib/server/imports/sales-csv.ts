import { z } from 'zod';
import { IMPORT_FIELDS, type ColumnMapping, type ImportField } from '../../imports/mapping';
import { isBlankRecord, readCsv } from '../../csv';
import { PLAIN_AMOUNT, SALE_LIMITS, WHOLE_NUMBER } from '../scoring/sales';

// The sales file: a header, then one line per sale line; lines with the same external id form
// one sale. Blank lines are skipped and data rows numbered from 1 under the header (row 0).
// The limits are a sale's own (scoring/sales.ts); the messages say what is wrong in a cell.

export interface ImportError {
	/** 1-based data row (the header is row 0). */
	row: number;
	column: string;
	message: string;
}

const rowSchema = z.object({
	externalId: z.string().trim().min(1, 'is required').max(SALE_LIMITS.externalId),
	sellerEmail: z.email('is not an email address').max(SALE_LIMITS.email),
	occurredAt: z.iso.datetime({
		offset: true,
		message: 'must be an ISO date-time with a zone, e.g. 2026-11-20T10:15:00+01:00'
	}),
	sku: z.string().trim().min(1, 'is required').max(SALE_LIMITS.sku),
	// Typed cells: decimal digits only ("0x10", "1e3" and an empty cell are refused).
	quantity: z
		.string()
		.min(1, { message: 'is required', abort: true })
		.regex(WHOLE_NUMBER, 'must be a whole number')
		.transform(Number)
		.pipe(
			z
				.number()
				.min(1, 'must be at least 1')
				.max(SALE_LIMITS.quantity, `must be at most ${SALE_LIMITS.quantity.toLocaleString('en')}`)
		),
	unitPrice: z
		.string()
		.min(1, { message: 'is required', abort: true })
		.regex(PLAIN_AMOUNT, 'must be a plain amount like 1099.90')
		.transform(Number)
		.pipe(
			z
				.number()
				.max(
					SALE_LIMITS.unitPrice,
					`is too large: at most ${SALE_LIMITS.unitPrice.toLocaleString('en')}`
				)
		)
});

export type ParsedRow = z.infer<typeof rowSchema> & { row: number };
export interface SaleGroup {
	externalId: string;
	rows: ParsedRow[];
}

export interface ParsedSales {
	/** Data rows in the file (blank lines are not rows). */
	rows: number;
	groups: SaleGroup[];
	errors: ImportError[];
	/** Rows refused while reading, with the external id their line names ('' if none). */
	invalidRows: Map<number, string>;
	/** External ids with an invalid line (and the first such row): their whole sale is refused. */
	badIds: Map<string, number>;
}

/**
 * Parses and checks the file's shape: every row against the schema, lines grouped by sale. A row
 * that could not be read (a quote never closed) or holds too many or too few values is refused
 * whole, with one message: its values cannot be trusted.
 */
export function parseSalesCsv(text: string, mapping: ColumnMapping = {}): ParsedSales {
	const { records, errors: unreadable } = readCsv(text);
	const lines = records
		.map((record, i) => ({ record, line: i + 1 }))
		.filter((l) => !isBlankRecord(l.record));
	const headers = lines[0]?.record ?? [];
	const data = lines.slice(1);
	const errors: ImportError[] = [];
	const invalidRows = new Map<number, string>();
	const badIds = new Map<string, number>();
	const column = (field: ImportField) => mapping[field] ?? field;
	const missing = IMPORT_FIELDS.filter((f) => !headers.includes(column(f)));
	if (missing.length > 0) {
		data.forEach((_, i) => invalidRows.set(i + 1, ''));
		return {
			rows: data.length,
			groups: [],
			errors: missing.map((f) => ({
				row: 0,
				column: column(f),
				message: `Column "${column(f)}" is missing from the header`
			})),
			invalidRows,
			badIds
		};
	}
	const idColumn = headers.indexOf(column('externalId'));
	const idOf = (record: string[]) => (record[idColumn] ?? '').trim();
	const refuseRow = (row: number, record: string[], message: string) => {
		errors.push({ row, column: '', message });
		const id = idOf(record);
		invalidRows.set(row, id);
		if (id && !badIds.has(id)) badIds.set(id, row);
	};
	const rowOfLine = new Map(data.map((l, i) => [l.line, i + 1]));
	for (const e of unreadable) {
		const row = e.row ? rowOfLine.get(e.row) : undefined;
		if (row === undefined) errors.push({ row: 0, column: '', message: e.message });
		else if (!invalidRows.has(row)) refuseRow(row, data[row - 1].record, e.message);
	}
	const groups = new Map<string, SaleGroup>();
	data.forEach(({ record }, i) => {
		const row = i + 1;
		if (invalidRows.has(row)) return;
		if (record.length !== headers.length) {
			const few = record.length < headers.length;
			refuseRow(
				row,
				record,
				`Too ${few ? 'few' : 'many'} fields: expected ${headers.length} fields but parsed ${record.length} (a value holding a comma needs "quotes")`
			);
			return;
		}
		const candidate = Object.fromEntries(
			IMPORT_FIELDS.map((f) => [f, (record[headers.indexOf(column(f))] ?? '').trim()])
		);
		const result = rowSchema.safeParse(candidate);
		if (!result.success) {
			invalidRows.set(row, candidate.externalId);
			if (candidate.externalId && !badIds.has(candidate.externalId))
				badIds.set(candidate.externalId, row);
			for (const issue of result.error.issues) {
				const field = String(issue.path[0]) as ImportField;
				errors.push({ row, column: column(field), message: `${column(field)} ${issue.message}` });
			}
			return;
		}
		const group = groups.get(result.data.externalId) ?? {
			externalId: result.data.externalId,
			rows: []
		};
		group.rows.push({ ...result.data, row });
		groups.set(result.data.externalId, group);
	});
	return { rows: data.length, groups: [...groups.values()], errors, invalidRows, badIds };
}
