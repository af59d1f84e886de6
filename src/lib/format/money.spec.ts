import { describe, expect, it } from 'vitest';
import {
	MAX_PRICE_CENTS,
	currentCurrency,
	money,
	priceInput,
	priceProblem,
	priceToCents,
	readPrice,
	setCurrency
} from './money';

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

	it.each(['', ' ', '9.999', '-1', '0x10', '1e3', 'abc', '12.', '.5', '1,09,900', '1 0999'])(
		'refuses %j as not an amount',
		(text) => {
			expect(readPrice(text, 'en')).toEqual({ ok: false, reason: 'format' });
			expect(priceToCents(text, 'en')).toBeNull();
		}
	);

	it.each([
		['en', '1,099.90', 109990],
		['en', '1,099', 109900],
		['en', '1 099.90', 109990],
		['pl', '1 099,90', 109990],
		['pl', '1\u00a0099,90', 109990],
		['fr', '1\u202f099,90', 109990],
		['nl', '1.099,90', 109990],
		['nl', '1.099', 109900],
		['ru', '1099.90', 109990],
		['sv', '2 500 000', 250000000]
	] as const)('in %s reads %j as %i cents', (locale, text, cents) => {
		expect(readPrice(text, locale)).toEqual({ ok: true, cents });
	});

	it.each([
		['fr', '1,099'],
		['en', '1.099'],
		['nl', '1,099.90.5']
	] as const)('in %s refuses %j (three decimals, or grouped the other way)', (locale, text) => {
		expect(readPrice(text, locale)).toEqual({ ok: false, reason: 'format' });
	});

	it.each(['10000000.01', '10000001', '99999999999', '1234567890123456789012'])(
		'refuses %j as too large (not as a bad format)',
		(text) => {
			expect(readPrice(text)).toEqual({ ok: false, reason: 'too_large' });
		}
	);

	it('says what is wrong, with the maximum for a too large amount', () => {
		expect(priceProblem('Price', 'too_large')).toBe('Price is too large: at most 10000000.00');
		expect(priceProblem('Price', 'format')).toBe('Price must be an amount like 1099.90');
	});
});

describe('money', () => {
	it('writes an amount in the organisation currency the way the reader writes money', () => {
		setCurrency('EUR');
		expect(money(109900, { locale: 'en-GB' })).toBe('€1,099.00');
		expect(money(109900, { locale: 'nl-NL' }).replace(/\s/g, ' ')).toBe('€ 1.099,00');
		setCurrency('PLN');
		expect(money(109900, { locale: 'pl-PL' }).replace(/\s/g, ' ')).toBe('1099,00 zł');
		expect(money(12345678, { locale: 'pl-PL', whole: true }).replace(/\s/g, ' ')).toBe(
			'123 457 zł'
		);
		setCurrency('SEK');
		expect(money(109900, { locale: 'sv-SE' }).replace(/\s/g, ' ')).toBe('1 099,00 kr');
		setCurrency('RUB');
		expect(money(109900, { locale: 'ru-RU' }).replace(/\s/g, ' ')).toBe('1 099,00 ₽');
		setCurrency('EUR');
		expect(currentCurrency()).toBe('EUR');
	});

	it('shows a form field amount with the reader’s decimal mark', () => {
		expect(priceInput(109990, 'en')).toBe('1099.90');
		expect(priceInput(109990, 'fr')).toBe('1099,90');
	});
});
