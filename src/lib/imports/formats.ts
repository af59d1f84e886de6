import { wallClockInstant } from '../contest/zone-calendar';

// How real exports write dates, amounts and text: Salesforce's US `11/20/2026` and `1,099.00`,
// HubSpot's and Pipedrive's `2026-11-20 10:15`, a European Excel's `20.11.2026 10:15` and
// `1.099,00`, files saved in Windows-1250 or -1252. Each is read per file: the date order and the
// decimal mark are detected from all of a column's values (or chosen), never guessed value by
// value. Client-safe (the page decodes the header with the same rules as the server).

// ---------------------------------------------------------------- encodings

export const ENCODINGS = ['utf-8', 'windows-1250', 'windows-1252'] as const;
export type Encoding = (typeof ENCODINGS)[number];

// Letters each single-byte code page writes in the seed markets' text. A file is decoded both
// ways and the reading with more of its own letters wins (Polish ą ł ż ś are ¹ ³ ¿ œ in 1252;
// French è à ù û are č ŕ ů ű in 1250).
const SHARED = 'éóáíöüäçÉÓÁÍÖÜÄÇ';
const LETTERS: Record<'windows-1250' | 'windows-1252', Set<string>> = {
	'windows-1250': new Set('ąćęłńśźżĄĆĘŁŃŚŹŻ' + SHARED),
	'windows-1252': new Set('àâèêëîïôùûÿœæßåøñÀÂÈÊËÎÏÔÙÛŸŒÆÅØÑ' + SHARED)
};

export function letterScore(text: string, encoding: 'windows-1250' | 'windows-1252'): number {
	const letters = LETTERS[encoding];
	let score = 0;
	for (const char of text) if (char.charCodeAt(0) > 0x7f && letters.has(char)) score += 1;
	return score;
}

// Windows-1252's bytes 0x80–0x9F (€ ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ' ' " " • – — ˜ ™ š › œ ž Ÿ).
// Node 20's TextDecoder reads 'windows-1252' as Latin-1 (C1 controls there); browsers do not.
const CP1252_HIGH =
	'\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
	'\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decode(bytes: Uint8Array, encoding: Encoding): string {
	const text = new TextDecoder(encoding, { ignoreBOM: encoding !== 'utf-8' }).decode(bytes);
	return encoding === 'windows-1252'
		? text.replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80])
		: text;
}

/**
 * A decoder for bytes read in chunks (a file streamed from disk): call it with each chunk, then
 * once without one for what is left. A character cut between two chunks is read whole.
 */
export function chunkDecoder(encoding: Encoding): (chunk?: Uint8Array) => string {
	const decoder = new TextDecoder(encoding, { ignoreBOM: encoding !== 'utf-8' });
	return (chunk) => {
		const text = chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
		return encoding === 'windows-1252'
			? text.replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80])
			: text;
	};
}

export interface Decoded {
	text: string;
	encoding: Encoding;
	/** The encoding was found from the bytes, not chosen. */
	detected: boolean;
}

/**
 * Bytes as text: UTF-8 (with or without a byte-order mark) when they are valid UTF-8, else
 * Windows-1250 or -1252, whichever reads as more of its own letters; or the chosen encoding.
 * A valid UTF-8 prefix cut inside a character (a header preview) still reads as UTF-8.
 */
export function decodeBytes(bytes: Uint8Array, chosen?: Encoding | null, partial = false): Decoded {
	if (chosen) {
		return { text: decode(bytes, chosen), encoding: chosen, detected: false };
	}
	try {
		const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: partial });
		return { text, encoding: 'utf-8', detected: true };
	} catch {
		// Not UTF-8: a code page.
	}
	const cp1250 = decode(bytes, 'windows-1250');
	const cp1252 = decode(bytes, 'windows-1252');
	return letterScore(cp1250, 'windows-1250') > letterScore(cp1252, 'windows-1252')
		? { text: cp1250, encoding: 'windows-1250', detected: true }
		: { text: cp1252, encoding: 'windows-1252', detected: true };
}

// ---------------------------------------------------------------- header names

/** A header compared without case, accents, spaces or punctuation: "Data sprzedaży" → "datasprzedazy". */
export function normalizeHeader(name: string): string {
	return name
		.normalize('NFKD')
		.replace(/\p{M}/gu, '')
		.toLowerCase()
		.replace(/ł/g, 'l')
		.replace(/ø/g, 'o')
		.replace(/æ/g, 'ae')
		.replace(/œ/g, 'oe')
		.replace(/ß/g, 'ss')
		.replace(/[^\p{L}\p{N}]/gu, '');
}

// ---------------------------------------------------------------- numbers

export const DECIMAL_MARKS = [',', '.'] as const;
export type DecimalMark = (typeof DECIMAL_MARKS)[number];

// Currency signs and codes around an amount ("USD 1,099.00", "1 099,00 zł", "€ 12,50").
const CURRENCY =
	/^(?:[A-Z]{3}|[€$£¥₽]|zł|kr|Kč)\s*|\s*(?:[A-Z]{3}|[€$£¥₽]|zł|kr|kr\.|Kč|руб\.?|р\.)$/giu;
const SPACES = /[\s\u00A0\u202F\u2009]/g;
/** Anything but digits, marks and spaces: only then can a currency be around the amount. */
const NOT_NUMERIC = /[^\d.,\s\u00A0\u202F\u2009-]/;
const withoutCurrency = (value: string) =>
	NOT_NUMERIC.test(value) ? value.replace(CURRENCY, '') : value;

/** What one value says about the file's decimal mark: ',' or '.', or null when it cannot tell. */
export function decimalOf(raw: string): DecimalMark | null {
	const value = withoutCurrency(raw.trim()).replace(SPACES, '');
	const comma = value.lastIndexOf(',');
	const dot = value.lastIndexOf('.');
	if (comma >= 0 && dot >= 0) return comma > dot ? ',' : '.';
	const mark = comma >= 0 ? ',' : dot >= 0 ? '.' : null;
	if (!mark) return null;
	const parts = value.split(mark);
	// "1,099" or "1.099": thousands or decimals, cannot tell; "1,099,000": thousands.
	if (parts.length > 2) return mark === ',' ? '.' : ',';
	return parts[1].length === 3 ? null : mark;
}

/** The decimal mark most values show, fed one value at a time (a file is read as a stream). */
export class DecimalDetector {
	private found: DecimalMark | null = null;
	private conflict = false;

	add(value: string) {
		if (this.conflict) return;
		const mark = decimalOf(value);
		if (!mark) return;
		if (this.found && mark !== this.found) this.conflict = true;
		else this.found = mark;
	}

	/** ',' or '.'; 'conflict' when some values show a comma and others a dot; null when none tell. */
	result(): DecimalMark | 'conflict' | null {
		return this.conflict ? 'conflict' : this.found;
	}
}

/** The decimal mark most values show; 'conflict' when some show a comma and others a dot. */
export function detectDecimal(values: Iterable<string>): DecimalMark | 'conflict' | null {
	const detector = new DecimalDetector();
	for (const value of values) detector.add(value);
	return detector.result();
}

const AMOUNT = {
	',': { plain: /^\d+(?:,\d+)?$/, grouped: /^\d{1,3}(?:[. ]\d{3})+(?:,\d+)?$/ },
	'.': { plain: /^\d+(?:\.\d+)?$/, grouped: /^\d{1,3}(?:[, ]\d{3})+(?:\.\d+)?$/ }
} as const;

/**
 * An amount written with the given decimal mark and any thousands separator (the other mark,
 * a space or a non-breaking space) in groups of three: "1,099.00", "1.099,00", "1 099,00".
 * Returns null when the text is not such a number.
 */
export function parseAmount(raw: string, decimal: DecimalMark): number | null {
	// The common case first: digits and at most the decimal mark.
	if (AMOUNT[decimal].plain.test(raw)) return Number(decimal === ',' ? raw.replace(',', '.') : raw);
	const value = withoutCurrency(raw.trim())
		.replace(/[\u00A0\u202F\u2009]/g, ' ')
		.trim();
	const { plain, grouped } = AMOUNT[decimal];
	if (!plain.test(value) && !grouped.test(value)) {
		// One kind of separator per number: "1.099 000" is not a number.
		return null;
	}
	const digits = value.replace(/[ .,]/g, (c) => (c === decimal ? '.' : ''));
	const number = Number(digits);
	return Number.isFinite(number) ? number : null;
}

// ---------------------------------------------------------------- dates

export const DATE_ORDERS = ['DMY', 'MDY', 'YMD'] as const;
export type DateOrder = (typeof DATE_ORDERS)[number];

/** A date (and time) as written: either an instant (it had a zone) or a wall-clock time. */
export type ParsedDate =
	| { kind: 'instant'; ms: number }
	| {
			kind: 'local';
			year: number;
			month: number;
			day: number;
			hour: number;
			minute: number;
			second: number;
			ms: number;
			dateOnly: boolean;
	  };

const TIME = String.raw`(?:[T ,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(am|pm|a\.m\.|p\.m\.)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?`;
const YEAR_FIRST = new RegExp(String.raw`^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})${TIME}$`, 'i');
const YEAR_LAST = new RegExp(String.raw`^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})${TIME}$`, 'i');

/** What one value says about the order: DMY, MDY, 'either' (both ≤ 12), or null (year first, or not a date). */
export function dateOrderOf(raw: string): 'DMY' | 'MDY' | 'either' | null {
	const m = YEAR_LAST.exec(raw.trim());
	if (!m) return null;
	const a = Number(m[1]);
	const b = Number(m[3]);
	if (a > 12 && b <= 12) return 'DMY';
	if (b > 12 && a <= 12) return 'MDY';
	return a === b ? null : 'either';
}

export type DateOrderFound =
	| { order: DateOrder | null }
	| { ambiguous: true; example: string }
	| { conflict: true; examples: [string, string] };

/**
 * The day/month order of a file's dates, fed one value at a time: DMY when a day above 12 comes
 * first, MDY when it comes second; both is a conflict; neither (every day ≤ 12) stays
 * ambiguous. Year-first and ISO values need no order ({ order: null } when every value is one).
 */
export class DateOrderDetector {
	private dmy: string | null = null;
	private mdy: string | null = null;
	private either: string | null = null;

	add(value: string) {
		const order = dateOrderOf(value);
		if (order === 'DMY') this.dmy ??= value;
		else if (order === 'MDY') this.mdy ??= value;
		else if (order === 'either') this.either ??= value;
	}

	result(): DateOrderFound {
		const { dmy, mdy, either } = this;
		if (dmy && mdy) return { conflict: true, examples: [dmy, mdy] };
		if (dmy) return { order: 'DMY' };
		if (mdy) return { order: 'MDY' };
		if (either) return { ambiguous: true, example: either };
		return { order: null };
	}
}

/** The day/month order of all these dates (see DateOrderDetector). */
export function detectDateOrder(values: Iterable<string>): DateOrderFound {
	const detector = new DateOrderDetector();
	for (const value of values) detector.add(value);
	return detector.result();
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** Why a value is not a date; the import words it in the reader's language. */
export type DateError =
	| 'needs_order'
	| 'not_year_first'
	| 'not_a_date'
	| 'not_real'
	| 'hour_outside_ampm'
	| 'no_such_time';

/**
 * One value as a date: ISO 8601 with or without a zone, date-only, or day/month/year in the
 * given order with `.`, `/` or `-` and an optional time (24-hour, or with AM/PM). Returns why
 * when the value is not such a date.
 */
export function parseDate(raw: string, order: DateOrder | null): ParsedDate | { error: DateError } {
	const value = raw.trim();
	let year: number, month: number, day: number, rest: (string | undefined)[];
	const first = YEAR_FIRST.exec(value);
	const last = first ? null : YEAR_LAST.exec(value);
	if (first) {
		year = Number(first[1]);
		month = Number(first[3]);
		day = Number(first[4]);
		rest = first.slice(5);
	} else if (last) {
		if (!order) return { error: 'needs_order' };
		if (order === 'YMD') return { error: 'not_year_first' };
		const a = Number(last[1]);
		const b = Number(last[3]);
		[day, month] = order === 'DMY' ? [a, b] : [b, a];
		year = Number(last[4]);
		rest = last.slice(5);
	} else {
		return { error: 'not_a_date' };
	}
	const [h, mi, s, frac, ampm, zone] = rest;
	if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return { error: 'not_real' };
	let hour = h === undefined ? 0 : Number(h);
	const minute = mi === undefined ? 0 : Number(mi);
	const second = s === undefined ? 0 : Number(s);
	const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
	if (ampm) {
		if (hour < 1 || hour > 12) return { error: 'hour_outside_ampm' };
		const pm = ampm.toLowerCase().startsWith('p');
		hour = (hour % 12) + (pm ? 12 : 0);
	}
	if (hour > 23 || minute > 59 || second > 59) return { error: 'no_such_time' };
	if (zone) {
		const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
		if (/^z$/i.test(zone)) return { kind: 'instant', ms: utc };
		const sign = zone[0] === '-' ? -1 : 1;
		const digits = zone.slice(1).replace(':', '');
		const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0);
		return { kind: 'instant', ms: utc - sign * offset * 60_000 };
	}
	return {
		kind: 'local',
		year,
		month,
		day,
		hour,
		minute,
		second,
		ms,
		dateOnly: h === undefined
	};
}

/** The instant of a parsed date: a wall-clock time is read in the season's time zone. */
export function instantOf(date: ParsedDate, timeZone: string): number {
	if (date.kind === 'instant') return date.ms;
	const { year, month, day, hour, minute, second, ms } = date;
	return wallClockInstant(timeZone, year, month - 1, day, hour, minute, second, ms);
}
