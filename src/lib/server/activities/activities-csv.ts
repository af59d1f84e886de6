import * as z from 'zod';
import { readTable, rowErrors, type CsvError } from '../../csv';
import { ACTIVITY_LIMITS } from '../../contest/activity';
import { parseLocalInput } from '../quizzes/quiz-form';
import { m } from '../../paraglide/messages.js';

// The activities file a manager imports: one activity per row,
// `externalId,email,type,occurredAt,quantity` (header names match ignoring case; quantity may be
// left out: 1). occurredAt is ISO 8601 with an offset ("2026-03-02T09:30:00Z"), or a local time
// "2026-03-02 09:30" read in the season's time zone. Rows are numbered as a spreadsheet shows
// them: the header is row 1.

// readTable matches header names in lower case.
export const ACTIVITY_CSV_COLUMNS = [
	'externalid',
	'email',
	'type',
	'occurredat',
	'quantity'
] as const;
type Column = (typeof ACTIVITY_CSV_COLUMNS)[number];
/** The columns as the documentation and the example file spell them. */
export const ACTIVITY_CSV_HEADER = 'externalId,email,type,occurredAt,quantity';

export interface ActivityRow {
	row: number;
	externalId: string;
	email: string;
	type: string;
	occurredAt: number;
	quantity: number;
}

const rowSchema = z.object({
	externalid: z
		.string()
		.min(1, { error: () => m.activities_import_error_external_id() })
		.max(ACTIVITY_LIMITS.externalId, { error: () => m.activities_import_error_external_id() }),
	email: z.email({ error: () => m.activities_import_error_email() }).max(254),
	type: z.string().min(1, { error: () => m.activities_import_error_type() }),
	occurredat: z.string().min(1, { error: () => m.activities_import_error_time() }),
	quantity: z
		.string()
		.transform((text) => text || '1')
		.pipe(
			z
				.string()
				.regex(/^\d+$/, {
					error: () => m.activities_import_error_quantity({ max: ACTIVITY_LIMITS.quantity })
				})
				.transform(Number)
				.pipe(
					z
						.number()
						.min(1, {
							error: () => m.activities_import_error_quantity({ max: ACTIVITY_LIMITS.quantity })
						})
						.max(ACTIVITY_LIMITS.quantity, {
							error: () => m.activities_import_error_quantity({ max: ACTIVITY_LIMITS.quantity })
						})
				)
		)
});

const SPELLED: Record<string, string> = { externalid: 'externalId', occurredat: 'occurredAt' };
/** A column as the header documents it (readTable reads names in lower case). */
export const spelled = (column: string | null) => (column ? (SPELLED[column] ?? column) : null);

const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** An instant from a cell: ISO 8601 with an offset, or a local time in `timeZone`; else null. */
export function parseWhen(text: string, timeZone: string): number | null {
	if (WITH_OFFSET.test(text)) {
		const at = Date.parse(text);
		return Number.isNaN(at) ? null : at;
	}
	const local = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})$/.exec(text);
	return local ? parseLocalInput(`${local[1]}T${local[2]}`, timeZone) : null;
}

/**
 * Reads and checks an activities file. Each problem is listed by row and column; the caller
 * imports nothing while there is any.
 */
export function parseActivitiesCsv(
	text: string,
	timeZone: string
): { rows: ActivityRow[]; errors: CsvError[] } {
	const table = readTable<Column>(text, {
		columns: ACTIVITY_CSV_COLUMNS,
		required: ['externalid', 'email', 'type', 'occurredat'],
		maxRows: ACTIVITY_LIMITS.importRows,
		rowsAre: 'activities',
		whenEmpty: m.activities_import_empty(),
		unescape: true
	});
	const errors = table.errors.map((e) => ({ ...e, column: spelled(e.column) }));
	const rows: ActivityRow[] = [];
	for (const { row, cells } of table.rows) {
		const parsed = rowSchema.safeParse(cells);
		if (!parsed.success) {
			errors.push(
				...rowErrors(row, parsed.error.issues).map((e) => ({ ...e, column: spelled(e.column) }))
			);
			continue;
		}
		const occurredAt = parseWhen(parsed.data.occurredat, timeZone);
		if (occurredAt === null) {
			errors.push({ row, column: 'occurredAt', message: m.activities_import_error_time() });
			continue;
		}
		rows.push({
			row,
			externalId: parsed.data.externalid,
			email: parsed.data.email,
			type: parsed.data.type.toLowerCase(),
			occurredAt,
			quantity: parsed.data.quantity
		});
	}
	return { rows, errors };
}
