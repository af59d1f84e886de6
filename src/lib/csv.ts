import Papa from 'papaparse';

// Every CSV file the app reads or writes goes through here, on the server and in the browser:
// spreadsheet row numbers, byte-order marks, delimiters (comma, semicolon or tab, as European
// spreadsheets save them), the quoting mistakes people make, and cells that a spreadsheet would
// run as formulas.

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

function escapeCell(value: string): string {
	return FORMULA_START.test(value) ? `'${value}` : value;
}

function unescapeCell(value: string): string {
	return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

export type Cell = string | number | boolean | null | undefined;

/** How a spreadsheet in the reader's locale expects a file: `;` and `1,5` in much of Europe. */
export interface CsvStyle {
	delimiter?: ',' | ';';
	/** Numbers with a decimal comma (then the delimiter should be ';'). */
	decimalComma?: boolean;
}

/** A file with a header row; text cells escaped, numbers written as numbers, CRLF line ends. */
export function writeCsv(
	fields: readonly string[],
	rows: readonly (readonly Cell[])[],
	style: CsvStyle = {}
): string {
	const number = (n: number) => (style.decimalComma ? String(n).replace('.', ',') : n);
	const data = rows.map((row) =>
		row.map((cell) =>
			typeof cell === 'string'
				? escapeCell(cell)
				: typeof cell === 'number'
					? number(cell)
					: (cell ?? '')
		)
	);
	return Papa.unparse(
		{ fields: fields.map(escapeCell), data },
		{ newline: '\r\n', delimiter: style.delimiter ?? ',' }
	);
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

/** A file format with a header row: which columns it knows, needs, and how many rows it takes. */
export interface TableFormat<C extends string> {
	columns: readonly C[];
	required: readonly C[];
	maxRows: number;
	/** What a row is, for messages: "products", "people". */
	rowsAre: string;
	/** The message for a file with a header and no rows. */
	whenEmpty: string;
	/** Drop the "'" that exports put before formula-like cells (for files this app wrote). */
	unescape?: boolean;
}

export interface TableRow<C extends string> {
	/** Spreadsheet row number (header = 1). */
	row: number;
	cells: Record<C, string>;
}

/**
 * Reads a file of a known format: checks the header (names matched ignoring case, none unknown,
 * twice or missing) and gives every readable row that is not blank, its cells trimmed. Rows
 * Papa could not read, rows with more values than the header has columns and rows past the
 * format's limit are reported, not given. The caller validates the cells and adds its errors.
 */
export function readTable<C extends string>(
	text: string,
	format: TableFormat<C>
): { rows: TableRow<C>[]; errors: CsvError[] } {
	if (text.replace(/^\uFEFF/, '').trim() === '')
		return { rows: [], errors: [{ row: null, column: null, message: 'The file is empty' }] };
	const { records, errors } = readCsv(text);
	// A row that could not be read has no trustworthy values: its own error is enough.
	const unreadable = new Set(errors.map((e) => e.row));
	const known: readonly string[] = format.columns;

	const header = (records[0] ?? []).map((cell) => cell.trim().toLowerCase());
	const seen = new Set<string>();
	for (const name of header) {
		if (name === '')
			errors.push({ row: 1, column: null, message: 'The header has an empty column name' });
		else if (!known.includes(name))
			errors.push({
				row: 1,
				column: name,
				message: `Unknown column; expected ${format.columns.join(',')}`
			});
		else if (seen.has(name))
			errors.push({ row: 1, column: name, message: 'This column appears twice' });
		seen.add(name);
	}
	for (const name of format.required) {
		if (!seen.has(name))
			errors.push({ row: 1, column: name, message: 'This column is missing from the header' });
	}
	if (errors.some((e) => e.row === 1)) return { rows: [], errors };

	const rows: TableRow<C>[] = [];
	let dataRows = 0;
	for (let index = 1; index < records.length; index++) {
		const record = records[index];
		if (isBlankRecord(record)) continue;
		const row = index + 1;
		dataRows += 1;
		if (unreadable.has(row)) continue;
		if (dataRows > format.maxRows) {
			errors.push({
				row,
				column: null,
				message: `A file can hold at most ${format.maxRows} ${format.rowsAre}`
			});
			break;
		}
		if (record.slice(header.length).some((cell) => cell.trim() !== '')) {
			const counts = `This row has ${record.length} values but the header has ${header.length} columns`;
			errors.push({
				row,
				column: null,
				message: `${counts} (a comma inside a name needs "quotes")`
			});
			continue;
		}
		const cells = {} as Record<C, string>;
		for (const name of format.columns) {
			const i = header.indexOf(name);
			const value = i < 0 ? '' : (record[i] ?? '').trim();
			cells[name] = format.unescape ? unescapeCell(value) : value;
		}
		rows.push({ row, cells });
	}
	if (dataRows === 0 && errors.length === 0)
		errors.push({ row: null, column: null, message: format.whenEmpty });
	return { rows, errors };
}

/** A row's schema errors as file errors: the first message for each column. */
export function rowErrors(
	row: number,
	issues: readonly { path: PropertyKey[]; message: string }[]
) {
	const errors: CsvError[] = [];
	const reported = new Set<string>();
	for (const issue of issues) {
		const column = String(issue.path[0]);
		if (reported.has(column)) continue;
		reported.add(column);
		errors.push({ row, column, message: issue.message });
	}
	return errors;
}
