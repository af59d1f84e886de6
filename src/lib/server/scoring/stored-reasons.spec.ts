import { describe, expect, it } from 'vitest';
import { getLocale, overwriteGetLocale } from '../../paraglide/runtime.js';
import { sayReason } from './stored-reasons';
import { points } from '../../format/numbers';

/** Russian separates thousands with a no-break space. */
const ru = (n: number) => points(n, 'ru-RU');

const inLocale = <T>(locale: 'en' | 'ru' | 'pl', fn: () => T): T => {
	const original = getLocale;
	overwriteGetLocale(() => locale);
	try {
		return fn();
	} finally {
		overwriteGetLocale(original);
	}
};

// As the services store them (scoring/sales.ts, scoring/review.ts, scoring/recalculate.ts,
// badges/awards.ts).
const STORED = [
	"250,000 points is above this season's limit of 100,000 per sale: check it before confirming",
	'auto-confirmed after 5 days',
	'Season recalculated with the current rules',
	'Badge: Hat-trick',
	'Badge withdrawn: Hat-trick'
];

describe('sayReason', () => {
	it('reads in English as the services stored it', () => {
		for (const reason of STORED) expect(inLocale('en', () => sayReason(reason))).toBe(reason);
	});

	it('words the app’s own reasons in the reader’s language, plurals and numbers included', () => {
		expect(inLocale('ru', () => STORED.map((reason) => sayReason(reason)))).toEqual([
			`${ru(250_000)} баллов — больше лимита сезона (${ru(100_000)} за продажу): проверьте перед подтверждением`,
			'подтверждено автоматически через 5 дней',
			'Сезон пересчитан по текущим правилам',
			'Значок: Hat-trick',
			'Значок отозван: Hat-trick'
		]);
		expect(inLocale('pl', () => sayReason('auto-confirmed after 2 days'))).toBe(
			'zatwierdzono automatycznie po 2 dniach'
		);
	});

	it('leaves a person’s own words as written', () => {
		expect(inLocale('ru', () => sayReason('Wrong customer, entered twice'))).toBe(
			'Wrong customer, entered twice'
		);
		expect(sayReason(null)).toBeNull();
	});
});
