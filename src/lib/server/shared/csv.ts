import Papa from 'papaparse';

// Every CSV file the app reads or writes goes through here: spreadsheet row numbers, byte-order
// marks, delimiters (comma, semicolon or tab, as European spreadsheets save them), the quoting
// mistakes people make, and cells that a spreadsheet would run as formulas.

/** One problem in a file. Rows are numbered as a spreadsheet shows them: the header is row 1. */
export interface CsvError {
	/** Spreadsheet row (header = 1); null for a problem with the whole file. */
	row: number | null;
	/** Column name, or null for the whole row. */
	column: string | null;
	message: string;
}

// Spreadsheets run cells that start with these as formulas; exports prefix them with "'" and
// imports drop that prefix again, so a file round-trips.
const FORMULA_START = /^[=+\-@\t\r]/;

export function escapeCell(value: string): string {
	return FORMULA_START.test(value) ? `'${value}` : value;
}

export function unescapeCell(value: string): string {
	return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

export type Cell = string | number | boolean | null | undefined;

/** A file with a header row; text cells escaped, numbers written as numbers, CRLF line ends. */
export function writeCsv(fields: readonly string[], rows: readonly (readonly Cell[])[]): string {
	const data = rows.map((row) =>
		row.map((cell) => (typeof cell === 'string' ? escapeCell(cell) : (cell ?? '')))
	);
	return Papa.unparse({ fields: fields.map(escapeCell), data }, { newline: '\r\n' });
}

function quoteMessage(code: string, fallback: string): string {
	if (code === 'MissingQuotes') return 'A quoted value is never closed (a " is missing)';
	if (code === 'InvalidQuotes')
		return 'A " is misplaced: wrap a value that holds quotes or commas in "double quotes"';
	return fallback;
}

export interface CsvRecords {
	/** Every line as cells, blank lines included: records[i] is spreadsheet row i + 1. */
	records: string[][];
	/** Lines that could not be read (their values are not to be trusted). */
	errors: CsvError[];
	delimiter: string;
}

/** Reads a whole file without interpreting it: the byte-order mark is dropped, the delimiter guessed. */
export function readCsv(text: string): CsvRecords {
	const source = text.replace(/^\uFEFF/, '');
	// No header mode and no skipped lines: a record's index is then its spreadsheet row - 1.
	const parsed = Papa.parse<string[]>(source, { header: false, skipEmptyLines: false });
	// Papa falls back to commas when it cannot guess; the caller's header check says what is wrong.
	const errors = parsed.errors
		.filter((e) => e.code !== 'UndetectableDelimiter')
		.map((e) => ({
			row: e.row == null ? null : e.row + 1,
			column: null,
			message: quoteMessage(e.code, e.message)
		}));
	return { records: parsed.data, errors, delimiter: parsed.meta.delimiter };
}

/** The header row of a file, trimmed. */
export function readCsvHeader(text: string): string[] {
	const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), {
		preview: 1,
		skipEmptyLines: 'greedy'
	});
	return (parsed.data[0] ?? []).map((h) => h.trim());
}

export const isBlankRecord = (record: readonly string[]) =>
	record.every((cell) => cell.trim() === '');

/** A file name from a season's (or anything's) name: "Spring Sprint" → "spring-sprint-ranking.csv". */
export function csvFileName(name: string, fallback: string, what: string): string {
	const slug =
		name
			.toLowerCase()
			.replace(/[^a-z0-9]+/g, '-')
			.replace(/^-|-$/g, '') || fallback;
	return `${slug}-${what}.csv`;
}

/** A download: private, never cached, saved under `filename`. */
export function csvResponse(body: string, filename: string): Response {
	return new Response(body, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="${filename}"`,
			'cache-control': 'private, no-store'
		}
	});
}
