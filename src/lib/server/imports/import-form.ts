import {
	IMPORT_FIELDS,
	MAPPABLE_FIELDS,
	OPTIONAL_IMPORT_FIELDS,
	MAX_IMPORT_BYTES,
	guessMapping,
	type ColumnMapping
} from '../../imports/mapping';
import { readCsvHeader } from '../../csv';
import { checkCsvText, decodeCsvFile } from './text';
import { AppError } from '../shared/errors';
import { readingOptions, type ReadingOptions } from './options';
import type { Encoding } from '../../imports/formats';
import { m } from '../../paraglide/messages.js';

// The sales import form: a file (or pasted text), one `map.<field>` select per field, how the
// file is read (`encoding`, `dateOrder`, `decimal`: empty for "find it from the file") and an
// optional name to remember the mapping under.

export type ImportInput =
	| {
			ok: true;
			text: string;
			mapping: ColumnMapping;
			headers: string[];
			fileName: string | null;
			reading: ReadingOptions;
			/** The encoding the file was read in (null for pasted text). */
			encoding: Encoding | null;
			/** Remember this mapping under this name ('' for no). */
			mappingName: string;
	  }
	| { ok: false; message: string; mapping: ColumnMapping; field?: string };

/**
 * Reads the import form. Refuses a missing, empty or too large file and a field without a
 * column, before anything runs.
 */
export async function readImportForm(form: FormData): Promise<ImportInput> {
	const chosen: ColumnMapping = {};
	for (const field of MAPPABLE_FIELDS) {
		const value = String(form.get(`map.${field}`) ?? '').trim();
		if (value) chosen[field] = value;
	}
	const refuse = (message: string, field?: string): ImportInput => ({
		ok: false,
		message,
		mapping: chosen,
		field
	});
	const options = readingOptions.safeParse({
		encoding: String(form.get('encoding') ?? ''),
		dateOrder: String(form.get('dateOrder') ?? ''),
		decimal: String(form.get('decimal') ?? '')
	});
	if (!options.success) return refuse(m.import_form_reading());
	const reading = options.data;
	let encoding: Encoding | null = null;
	const file = form.get('file');
	let text = String(form.get('csv') ?? '');
	let fileName: string | null = null;
	if (file instanceof File && file.size > 0) {
		if (file.size > MAX_IMPORT_BYTES) return refuse(m.import_file_too_large());
		fileName = file.name;
	}
	if (text.length > MAX_IMPORT_BYTES) return refuse(m.import_text_too_large());
	try {
		// A binary or non-UTF-8 file is refused here, before it can "parse" into garbage rows.
		if (fileName !== null) {
			const decoded = decodeCsvFile(
				new Uint8Array(await (file as File).arrayBuffer()),
				reading.encoding
			);
			text = decoded.text;
			encoding = decoded.encoding;
		} else text = checkCsvText(text);
	} catch (error) {
		if (error instanceof AppError) return refuse(error.message);
		throw error;
	}
	if (text.trim() === '') return refuse(m.import_form_no_file());
	const headers = readCsvHeader(text);
	if (headers.every((h) => h === '')) return refuse(m.import_form_no_header());
	// A form sent without the mapping (no JavaScript) uses the same guess the page would show;
	// a select left on "choose a column" is a field left unmapped.
	const guessed = guessMapping(headers);
	const mapping: ColumnMapping = {};
	for (const field of IMPORT_FIELDS) {
		const column = form.has(`map.${field}`) ? chosen[field] : guessed[field];
		if (!column) return refuse(m.import_form_choose_column({ field }));
		if (!headers.includes(column)) return refuse(m.import_form_not_in_header({ column, field }));
		mapping[field] = column;
	}
	// An optional field maps only when a column is chosen (or, without a choice, guessed).
	for (const field of OPTIONAL_IMPORT_FIELDS) {
		const column = form.has(`map.${field}`) ? chosen[field] : guessed[field];
		if (!column) continue;
		if (!headers.includes(column)) return refuse(m.import_form_not_in_header({ column, field }));
		mapping[field] = column;
	}
	const columns = Object.values(mapping);
	const twice = columns.find((c, i) => columns.indexOf(c) !== i);
	if (twice) return refuse(m.import_form_chosen_twice({ column: twice }));
	if (
		text
			.replace(/^\uFEFF/, '')
			.trim()
			.split(/\r?\n/).length < 2
	)
		return refuse(m.import_form_no_rows());
	const mappingName = String(form.get('mappingName') ?? '').trim();
	return { ok: true, text, mapping, headers, fileName, reading, encoding, mappingName };
}
