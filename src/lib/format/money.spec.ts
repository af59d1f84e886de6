import { describe, expect, it } from 'vitest';
import { MAX_PRICE_CENTS, priceProblem, priceToCents, readPrice } from './money';

describe('readPrice', () => {
	it.each([
		['1099', 109900],
		['1099.9', 109990],
		['1099.90', 109990],
		['1099,90', 109990],
		[' 0 ', 0],
		['0.05', 5],
		['10000000', MAX_PRICE_CENTS],
		['0010000000.00', MAX_PRICE_CENTS]
	])('reads %j as %i cents', (text, cents) => {
		expect(readPrice(text)).toEqual({ ok: true, cents });
		expect(priceToCents(text)).toBe(cents);
	});

	it.each(['', ' ', '1,099.00', '9.999', '-1', '0x10', '1e3', 'abc', '12.', '.5'])(
		'refuses %j as not a plain amount',
		(text) => {
			expect(readPrice(text)).toEqual({ ok: false, reason: 'format' });
			expect(priceToCents(text)).toBeNull();
		}
	);

	it.each(['10000000.01', '10000001', '99999999999', '1234567890123456789012'])(
		'refuses %j as too large (not as a bad format)',
		(text) => {
			expect(readPrice(text)).toEqual({ ok: false, reason: 'too_large' });
		}
	);

	it('says what is wrong, with the maximum for a too large amount', () => {
		expect(priceProblem('Price', 'too_large')).toBe('Price is too large: at most 10000000.00');
		expect(priceProblem('Price', 'format')).toBe('Price must be a plain amount like 1099.90');
	});
});
