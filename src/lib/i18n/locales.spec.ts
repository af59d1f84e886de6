// How a request's language is chosen: the person's own choice, then the browser's
// Accept-Language (by quality, a region falling back to its language), then the organisation's.
import { describe, expect, it } from 'vitest';
import { chooseLocale, fromAcceptLanguage, isCurrency, isLocale } from './locales';

describe('fromAcceptLanguage', () => {
	it.each([
		['pl', 'pl'],
		['pl-PL,pl;q=0.9,en;q=0.8', 'pl'],
		['ru-RU', 'ru'],
		['sv-SE,sv;q=0.9', 'sv'],
		['nl-BE,nl;q=0.9,fr;q=0.8', 'nl'],
		['fr-CA', 'fr'],
		['EN-gb', 'en'],
		// Quality decides, not the order written.
		['en;q=0.5,fr;q=0.9', 'fr'],
		['en;q=0.5, ru', 'ru'],
		// Equal quality: the first written wins.
		['sv;q=0.8,pl;q=0.8', 'sv'],
		// A language we do not speak is skipped for the next one we do.
		['de-DE,de;q=0.9,pl;q=0.5', 'pl'],
		['*;q=0.1,nl;q=0.2', 'nl'],
		// q=0 means "not this one".
		['fr;q=0,en;q=0.3', 'en'],
		['  pl ; q=0.7 ,  de ', 'pl']
	])('%s → %s', (header, expected) => {
		expect(fromAcceptLanguage(header)).toBe(expected);
	});

	it.each([null, undefined, '', 'de-DE,de;q=0.9', '*', 'ru;q=0', 'english', 'x-klingon'])(
		'%s → none we speak',
		(header) => {
			expect(fromAcceptLanguage(header)).toBeNull();
		}
	);
});

describe('chooseLocale', () => {
	it('takes the person’s own choice over their browser and the organisation', () => {
		expect(chooseLocale({ own: 'sv', acceptLanguage: 'pl-PL,pl', organisation: 'fr' })).toBe('sv');
	});

	it('takes the browser’s language when the person has not chosen', () => {
		expect(chooseLocale({ own: null, acceptLanguage: 'pl-PL,pl', organisation: 'fr' })).toBe('pl');
		expect(chooseLocale({ acceptLanguage: 'ru', organisation: 'en' })).toBe('ru');
	});

	it('falls back to the organisation’s default when the browser asks for none we speak', () => {
		expect(chooseLocale({ own: null, acceptLanguage: 'de-DE,de', organisation: 'nl' })).toBe('nl');
		expect(chooseLocale({ acceptLanguage: null, organisation: 'sv' })).toBe('sv');
		expect(chooseLocale({ organisation: 'en' })).toBe('en');
	});

	it('ignores an own choice that is no language we speak', () => {
		expect(chooseLocale({ own: 'de', acceptLanguage: 'fr', organisation: 'en' })).toBe('fr');
		expect(chooseLocale({ own: '', acceptLanguage: 'de', organisation: 'pl' })).toBe('pl');
	});
});

describe('isLocale and isCurrency', () => {
	it('know the six languages and the currencies, nothing else', () => {
		for (const l of ['en', 'nl', 'ru', 'sv', 'pl', 'fr']) expect(isLocale(l)).toBe(true);
		for (const l of ['de', 'EN', 'pl-PL', '', null, 3]) expect(isLocale(l)).toBe(false);
		for (const c of ['EUR', 'PLN', 'SEK', 'RUB', 'GBP', 'USD']) expect(isCurrency(c)).toBe(true);
		for (const c of ['eur', 'CHF', '', undefined]) expect(isCurrency(c)).toBe(false);
	});
});
