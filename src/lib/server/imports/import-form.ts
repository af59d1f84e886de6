import {
	IMPORT_FIELDS,
	MAX_IMPORT_BYTES,
	guessMapping,
	type ColumnMapping
} from '../../imports/mapping';
import { readCsvHeader } from '../../csv';
import { checkCsvText, decodeCsvBytes } from './text';
import { AppError } from '../shared/errors';

// The sales import form: a file (or pasted text) and one `map.<field>` select per field.

export type ImportInput =
	| { ok: true; text: string; mapping: ColumnMapping; headers: string[]; fileName: string | null }
	| { ok: false; message: string; mapping: ColumnMapping };

/**
 * Reads the import form. Refuses a missing, empty or too large file and a field without a
 * column, before anything runs.
 */
export async function readImportForm(form: FormData): Promise<ImportInput> {
	const chosen: ColumnMapping = {};
	for (const field of IMPORT_FIELDS) {
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
		fileName = file.name;
	}
	if (text.length > MAX_IMPORT_BYTES)
		return refuse('The text is larger than 50 MB: split it into smaller files.');
	try {
		// A binary or non-UTF-8 file is refused here, before it can "parse" into garbage rows.
		text =
			fileName !== null
				? decodeCsvBytes(new Uint8Array(await (file as File).arrayBuffer()))
				: checkCsvText(text);
	} catch (error) {
		if (error instanceof AppError) return refuse(error.message);
		throw error;
	}
	if (text.trim() === '') return refuse('Choose a CSV file or paste its rows.');
	const headers = readCsvHeader(text);
	if (headers.every((h) => h === '')) return refuse('The file has no header row.');
	// A form sent without the mapping (no JavaScript) uses the same guess the page would show;
	// a select left on "choose a column" is a field left unmapped.
	const guessed = guessMapping(headers);
	const mapping: ColumnMapping = {};
	for (const field of IMPORT_FIELDS) {
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
