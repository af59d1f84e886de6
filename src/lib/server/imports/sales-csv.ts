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

/** Parses and checks the file's shape: every row against the schema, lines grouped by sale. */
export function parseSalesCsv(text: string, mapping: ColumnMapping = {}) {
	const { records, errors: unreadable } = readCsv(text);
	const lines = records
		.map((record, i) => ({ record, line: i + 1 }))
		.filter((l) => !isBlankRecord(l.record));
	const headers = lines[0]?.record ?? [];
	const data = lines.slice(1);
	const errors: ImportError[] = [];
	const column = (field: ImportField) => mapping[field] ?? field;
	const missing = IMPORT_FIELDS.filter((f) => !headers.includes(column(f)));
	if (missing.length > 0) {
		return {
			rows: data.length,
			groups: [] as SaleGroup[],
			errors: missing.map((f) => ({
				row: 0,
				column: column(f),
				message: `Column "${column(f)}" is missing from the header`
			})),
			invalidRows: new Set<number>(),
			badIds: new Map<string, number>()
		};
	}
	const rowOfLine = new Map(data.map((l, i) => [l.line, i + 1]));
	for (const e of unreadable)
		errors.push({ row: (e.row && rowOfLine.get(e.row)) ?? 0, column: '', message: e.message });
	data.forEach(({ record }, i) => {
		if (record.length === headers.length) return;
		const few = record.length < headers.length;
		errors.push({
			row: i + 1,
			column: '',
			message: `Too ${few ? 'few' : 'many'} fields: expected ${headers.length} fields but parsed ${record.length}`
		});
	});
	const invalidRows = new Set(errors.map((e) => e.row));
	/** External ids with an invalid line: their whole sale is refused. */
	const badIds = new Map<string, number>();
	const groups = new Map<string, SaleGroup>();
	data.forEach(({ record }, i) => {
		const row = i + 1;
		const candidate = Object.fromEntries(
			IMPORT_FIELDS.map((f) => [f, (record[headers.indexOf(column(f))] ?? '').trim()])
		);
		const result = rowSchema.safeParse(candidate);
		if (!result.success) {
			invalidRows.add(row);
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
