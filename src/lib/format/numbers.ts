// Whole numbers (points, counts) and shares for reading, in the reader's language: thousands
// separated the way it separates them, a sign where it is a change. Client-safe, like money.ts.
import { intlLocale } from '../i18n/current';

const formats = new Map<string, Intl.NumberFormat>();

function format(locale: string, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
	const key = `${locale}|${JSON.stringify(options)}`;
	let found = formats.get(key);
	if (!found) {
		found = new Intl.NumberFormat(locale, options);
		formats.set(key, found);
	}
	return found;
}

/** 1200000 → "1,200,000" in English, "1 200 000" in French, "1.200.000" in Dutch. */
export const points = (n: number, locale: string = intlLocale()) => format(locale).format(n);

/** A change: 25 → "+25", -3 → "-3", 0 → "0". */
export const signed = (n: number, locale: string = intlLocale()) =>
	format(locale, { signDisplay: 'exceptZero' }).format(n);

/** A share: 0.123 → "12%" in English, "12 %" in French; `digits` decimals at most. */
export const percent = (share: number, digits = 0, locale: string = intlLocale()) =>
	format(locale, { style: 'percent', maximumFractionDigits: digits }).format(share);
