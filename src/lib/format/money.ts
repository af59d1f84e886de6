// Money, everywhere it is shown or typed. Amounts are stored in cents (minor units, so sums are
// exact); people see them in the organisation's currency, written the way their language writes
// money. Client-safe: pages, components and the server all import this.
import { m } from '../paraglide/messages.js';
import { currentLocale, intlLocale } from '../i18n/current';
import { DEFAULT_CURRENCY, type Currency, type Locale } from '../i18n/locales';

/** The largest amount a price may have, in cents: 10,000,000.00. */
export const MAX_PRICE_CENTS = 10_000_000_00;

// One organisation per instance, so one currency: the server sets it from the organisation's
// settings on each request, the page from the layout's data.
let currency: Currency = DEFAULT_CURRENCY;

export function setCurrency(next: Currency): void {
	currency = next;
}

export function currentCurrency(): Currency {
	return currency;
}

/** The mark between units and cents in `locale`: "." in English, "," in the others. */
export function decimalMark(locale: Locale = currentLocale()): '.' | ',' {
	return locale === 'en' ? '.' : ',';
}

/** Marks that may group thousands in `locale` besides spaces: "1,099.00" or "1.099,00". */
function groupMarks(locale: Locale): string[] {
	return locale === 'en' ? [','] : ['.'];
}

/**
 * Reads a typed amount in main units as cents, the way people in `locale` write it: "1099",
 * "1099.90", "1099,90", "1 099,90" (any space), "1.099,90" or, in English, "1,099.90". A last
 * mark followed by one or two digits is the decimal mark, whichever it is; a mark followed by
 * three digits groups thousands only where the language groups with it ("1,099" is 1099 in
 * English and not an amount in French, where it would have three decimals). Why not: `format`
 * when it is not an amount, `too_large` when it is above MAX_PRICE_CENTS.
 */
export function readPrice(
	text: string,
	locale: Locale = currentLocale()
): { ok: true; cents: number } | { ok: false; reason: 'format' | 'too_large' } {
	const trimmed = text.trim().replace(/[\s\u00a0\u202f']/g, ' ');
	const decimal = /^(.*?)[.,](\d{1,2})$/.exec(trimmed);
	const whole = decimal ? decimal[1] : trimmed;
	const fraction = decimal ? decimal[2] : '';
	const digits = readWhole(whole, locale);
	if (digits === null) return { ok: false, reason: 'format' };
	// Leading zeros aside, more than 9 digits is above the maximum whatever they are.
	const significant = digits.replace(/^0+(?=\d)/, '');
	if (significant.length > 9) return { ok: false, reason: 'too_large' };
	const cents = Number(significant) * 100 + Number(fraction.padEnd(2, '0'));
	return cents <= MAX_PRICE_CENTS ? { ok: true, cents } : { ok: false, reason: 'too_large' };
}

/** The digits of a whole amount, grouped by thousands at most one way; null when not one. */
function readWhole(text: string, locale: Locale): string | null {
	if (/^\d+$/.test(text)) return text;
	const marks = [' ', ...groupMarks(locale)].filter((mark) => text.includes(mark));
	if (marks.length !== 1) return null;
	const groups = text.split(marks[0]);
	const valid = /^\d{1,3}$/.test(groups[0]) && groups.slice(1).every((g) => /^\d{3}$/.test(g));
	return valid ? groups.join('') : null;
}

/** A typed amount in cents (see readPrice); null when it is not an amount or too large. */
export function priceToCents(text: string, locale: Locale = currentLocale()): number | null {
	const read = readPrice(text, locale);
	return read.ok ? read.cents : null;
}

/** What to say about an amount readPrice refused, for a field named `label` ("Price"). */
export function priceProblem(label: string, reason: 'format' | 'too_large'): string {
	return reason === 'too_large'
		? m.money_too_large({ label, max: priceInput(MAX_PRICE_CENTS) })
		: m.money_not_an_amount({ label, example: priceInput(109990) });
}

/** Cents as the plain amount CSV files and the API use: 109900 → "1099.00". */
export function centsToPrice(cents: number): string {
	return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** Cents as a form field shows them in `locale`: "1099.00" in English, "1099,00" in the others. */
export function priceInput(cents: number, locale: Locale = currentLocale()): string {
	return centsToPrice(cents).replace('.', decimalMark(locale));
}

const formats = new Map<string, Intl.NumberFormat>();

/**
 * Cents for reading, in the organisation's currency and the reader's language: "€1,099.00",
 * "1 099,00 zł", "1 099,00 ₽"; with `whole`, rounded to the unit for a headline: "€1,099".
 */
export function money(cents: number, options: { whole?: boolean; locale?: string } = {}): string {
	const locale = options.locale ?? intlLocale();
	const key = `${locale}|${currency}|${options.whole ? 0 : 2}`;
	let format = formats.get(key);
	if (!format) {
		format = new Intl.NumberFormat(locale, {
			style: 'currency',
			currency,
			...(options.whole ? { maximumFractionDigits: 0, minimumFractionDigits: 0 } : {})
		});
		formats.set(key, format);
	}
	return format.format(cents / 100);
}
