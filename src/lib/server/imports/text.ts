import { m } from '../../paraglide/messages.js';
import { AppError } from '../shared/errors';
import { points } from '../../format/numbers';
import { decodeBytes, type Decoded, type Encoding } from '../../imports/formats';

// An import must be text before it is read as CSV: a spreadsheet saved as .xlsx, a PDF or an
// image would otherwise "parse" into hundreds of garbage rows. The bytes are UTF-8 (what every
// spreadsheet's "CSV UTF-8" writes, with or without a byte-order mark) or, when they are not,
// Windows-1250 or -1252 (a plain "CSV" from a Polish or French Excel), or the encoding chosen;
// the text must hold no NUL (UTF-16 and binary files do) and hardly any other control
// characters (a stray one from a CRM export is tolerated).

/** Control characters other than tab, line feed and carriage return (and form feed). */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0001-\u0008\u000B\u000E-\u001F\u007F]/g;
/** At most this share of a file's characters may be control characters. */
const MAX_CONTROL_SHARE = 0.01;

const notText = (message: string) => new AppError(400, 'not_text', message, { field: 'file' });

/** Refuses text that holds NUL bytes or too many control characters to be a CSV file. */
export function checkCsvText(text: string): string {
	if (text.includes('\u0000')) throw notText(m.import_not_text_nul());
	const controls = text.match(CONTROL)?.length ?? 0;
	if (controls > Math.max(1, text.length * MAX_CONTROL_SHARE))
		throw notText(m.import_not_text_controls({ count: controls, n: points(controls) }));
	return text;
}

/** The bytes of an uploaded file as text, or an AppError (400 not_text) that says why not. */
export function decodeCsvBytes(bytes: Uint8Array, encoding?: Encoding | null): string {
	return decodeCsvFile(bytes, encoding).text;
}

/**
 * The bytes as text and the encoding they were read in (detected or chosen). `partial`: the
 * bytes are the start of a file (a character cut at their end is left out).
 */
export function decodeCsvFile(
	bytes: Uint8Array,
	encoding?: Encoding | null,
	partial = false
): Decoded {
	if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
		throw notText(m.import_not_text_utf16());
	const decoded = decodeBytes(bytes, encoding, partial);
	checkCsvText(decoded.text);
	return decoded;
}
