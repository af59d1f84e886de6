import Papa from 'papaparse';
import { IMPORT_FIELDS, type ColumnMapping } from '$lib/server/imports/sales';
import { FIELDS, guessMapping, type Field } from '../../../routes/(app)/manage/import/mapping';

// The page's copy of the field list must match the service's.
const _same: readonly Field[] = IMPORT_FIELDS satisfies readonly Field[];

export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

export type ImportInput =
	| { ok: true; text: string; mapping: ColumnMapping; headers: string[]; fileName: string | null }
	| { ok: false; message: string; mapping: Partial<Record<Field, string>> };

/** The header row of a CSV text, as Papa reads it. */
export function headerOf(text: string): string[] {
	const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), {
		preview: 1,
		skipEmptyLines: 'greedy'
	});
	return (parsed.data[0] ?? []).map((h) => h.trim());
}

/**
 * Reads the import form: a file (or pasted text) and one `map.<field>` select per field.
 * Refuses a missing, empty or too large file and a field without a column, before anything runs.
 */
export async function readImportForm(form: FormData): Promise<ImportInput> {
	const chosen: Partial<Record<Field, string>> = {};
	for (const field of FIELDS) {
		const value = String(form.get(`map.${field}`) ?? '').trim();
		if (value) chosen[field] = value;
	}
	const refuse = (message: string): ImportInput => ({ ok: false, message, mapping: chosen });
	const file = form.get('file');
	let text = String(form.get('csv') ?? '');
	let fileName: string | null = null;
	if (file instanceof File && file.size > 0) {
		if (file.size > MAX_IMPORT_BYTES)
			return refuse('The file is larger than 50 MB: split it into smaller files.');
		text = await file.text();
		fileName = file.name;
	}
	if (text.length > MAX_IMPORT_BYTES)
		return refuse('The text is larger than 50 MB: split it into smaller files.');
	if (text.trim() === '') return refuse('Choose a CSV file or paste its rows.');
	const headers = headerOf(text);
	if (headers.every((h) => h === '')) return refuse('The file has no header row.');
	// A form sent without the mapping (no JavaScript) uses the same guess the page would show;
	// a select left on "choose a column" is a field left unmapped.
	const guessed = guessMapping(headers);
	const mapping: ColumnMapping = {};
	for (const field of FIELDS) {
		const column = form.has(`map.${field}`) ? chosen[field] : guessed[field];
		if (!column) return refuse(`Choose the column that holds ${field}.`);
		if (!headers.includes(column))
			return refuse(`Column "${column}" (for ${field}) is not in the file's header.`);
		mapping[field] = column;
	}
	const columns = Object.values(mapping);
	const twice = columns.find((c, i) => columns.indexOf(c) !== i);
	if (twice)
		return refuse(`Column "${twice}" is chosen for two fields: each field needs its own column.`);
	if (
		text
			.replace(/^\uFEFF/, '')
			.trim()
			.split(/\r?\n/).length < 2
	)
		return refuse('The file has a header but no rows.');
	return { ok: true, text, mapping, headers, fileName };
}
