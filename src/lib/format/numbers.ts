// Whole numbers (points, counts) for reading: thousands separated, a sign where it is a change.
// Client-safe, like money.ts.

const whole = new Intl.NumberFormat('en');

/** 1200000 → "1,200,000". */
export const points = (n: number) => whole.format(n);

/** A change: 25 → "+25", -3 → "-3", 0 → "0". */
export const signed = (n: number) => (n > 0 ? `+${whole.format(n)}` : whole.format(n));
