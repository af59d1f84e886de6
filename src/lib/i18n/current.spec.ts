// The language being rendered: Paraglide's per request, the base language outside one.
import { describe, expect, it } from 'vitest';
import { overwriteGetLocale } from '../paraglide/runtime.js';
import { currentLocale, intlLocale } from './current';

describe('currentLocale', () => {
	it('is the language Paraglide has for the request', () => {
		overwriteGetLocale(() => 'pl');
		try {
			expect(currentLocale()).toBe('pl');
			expect(intlLocale()).toBe('pl-PL');
		} finally {
			overwriteGetLocale(() => 'en');
		}
	});

	it('is the base language when there is none or Paraglide cannot say', () => {
		overwriteGetLocale(() => 'de' as never);
		expect(currentLocale()).toBe('en');
		overwriteGetLocale(() => {
			throw new Error('outside a request');
		});
		expect(currentLocale()).toBe('en');
		overwriteGetLocale(() => 'en');
	});
});

describe('intlLocale', () => {
	it.each([
		['en', 'en-GB'],
		['nl', 'nl-NL'],
		['ru', 'ru-RU'],
		['sv', 'sv-SE'],
		['pl', 'pl-PL'],
		['fr', 'fr-FR']
	] as const)('%s formats as %s', (locale, intl) => {
		expect(intlLocale(locale)).toBe(intl);
	});
});
