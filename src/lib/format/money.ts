// Money, everywhere it is shown or typed. Amounts are stored in cents (minor units, so sums are
// exact); people see euros. Client-safe: pages, components and the server all import this.

/** The largest amount a price may have, in cents: 10,000,000.00. */
export const MAX_PRICE_CENTS = 10_000_000_00;

/**
 * Reads a typed amount: "1099", "1099.9", "1099.90" or "1099,90" (main units) in cents, or why
 * not: `format` when it is not a plain amount (thousands separators are refused: "1,099" could
 * mean either), `too_large` when it is above MAX_PRICE_CENTS.
 */
export function readPrice(
	text: string
): { ok: true; cents: number } | { ok: false; reason: 'format' | 'too_large' } {
	const trimmed = text.trim();
	const match = /^(\d+)(?:[.,](\d{1,2}))?$/.exec(trimmed);
	if (!match) return { ok: false, reason: 'format' };
	// Leading zeros aside, more than 9 digits is above the maximum whatever they are.
	const whole = match[1].replace(/^0+(?=\d)/, '');
	if (whole.length > 9) return { ok: false, reason: 'too_large' };
	const cents = Number(whole) * 100 + Number((match[2] ?? '0').padEnd(2, '0'));
	return cents <= MAX_PRICE_CENTS ? { ok: true, cents } : { ok: false, reason: 'too_large' };
}

/** A typed amount in cents (see readPrice); null when it is not a plain amount or too large. */
export function priceToCents(text: string): number | null {
	const read = readPrice(text);
	return read.ok ? read.cents : null;
}

/** What to say about an amount readPrice refused, for a field named `label` ("Price"). */
export function priceProblem(label: string, reason: 'format' | 'too_large'): string {
	return reason === 'too_large'
		? `${label} is too large: at most ${centsToPrice(MAX_PRICE_CENTS)}`
		: `${label} must be a plain amount like 1099.90`;
}

/** Cents as the plain amount forms and CSV files use: 109900 → "1099.00". */
export function centsToPrice(cents: number): string {
	return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

const euros = new Intl.NumberFormat('en', { style: 'currency', currency: 'EUR' });
const wholeEuros = new Intl.NumberFormat('en', {
	style: 'currency',
	currency: 'EUR',
	maximumFractionDigits: 0
});

/** Cents for reading: "€1,099.00"; with `whole`, rounded to the euro for a headline: "€1,099". */
export function money(cents: number, options: { whole?: boolean } = {}): string {
	return (options.whole ? wholeEuros : euros).format(cents / 100);
}
