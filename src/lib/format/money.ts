// Money, everywhere it is shown or typed. Amounts are stored in cents (minor units, so sums are
// exact); people see euros. Client-safe: pages, components and the server all import this.

const MAX_PRICE_CENTS = 10_000_000_00;

/**
 * "1099", "1099.9", "1099.90" or "1099,90" (main units) in cents; null when it is not a plain
 * amount. Thousands separators are refused: "1,099" could mean either.
 */
export function priceToCents(text: string): number | null {
	const match = /^(\d{1,9})(?:[.,](\d{1,2}))?$/.exec(text.trim());
	if (!match) return null;
	const cents = Number(match[1]) * 100 + Number((match[2] ?? '0').padEnd(2, '0'));
	return cents <= MAX_PRICE_CENTS ? cents : null;
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
