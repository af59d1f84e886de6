// What the app says in a language, for the browser tests that run in several: reads
// messages/<locale>.json (the same files Paraglide compiles) and resolves a key with its params,
// plural forms included, the way the page words it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INTL_LOCALES, type Locale } from '../../src/lib/i18n/locales';

export type { Locale };

type Variant = { declarations?: string[]; selectors?: string[]; match: Record<string, string> };
type Message = string | Variant[];
type Params = Record<string, string | number>;

const ROOT = join(import.meta.dirname, '../..');
const files = new Map<Locale, Record<string, Message>>();

function messages(locale: Locale): Record<string, Message> {
	let file = files.get(locale);
	if (!file) {
		file = JSON.parse(readFileSync(join(ROOT, 'messages', `${locale}.json`), 'utf8'));
		files.set(locale, file!);
	}
	return file!;
}

/** The locale a browser context asks for (Accept-Language) to be answered in `locale`. */
export const browserLocale = (locale: Locale) => INTL_LOCALES[locale];

/** The value each selector of a plural variant takes: `local countPlural = count: plural`. */
function selectorValues(locale: Locale, variant: Variant, params: Params): Record<string, string> {
	const values: Record<string, string> = {};
	for (const declaration of variant.declarations ?? []) {
		const input = /^input (\w+)$/.exec(declaration);
		if (input) values[input[1]] = String(params[input[1]] ?? '');
		const local = /^local (\w+) = (\w+): plural$/.exec(declaration);
		if (local)
			values[local[1]] = new Intl.PluralRules(INTL_LOCALES[locale]).select(
				Number(params[local[2]])
			);
	}
	return values;
}

function pick(locale: Locale, key: string, message: Message, params: Params): string {
	if (typeof message === 'string') return message;
	for (const variant of message) {
		const values = selectorValues(locale, variant, params);
		for (const [when, text] of Object.entries(variant.match)) {
			const fits = when.split(/,\s*/).every((condition) => {
				const [selector, value] = condition.split('=');
				return value === '*' || values[selector.trim()] === value.trim();
			});
			if (fits) return text;
		}
	}
	throw new Error(`No form of ${key} in messages/${locale}.json fits ${JSON.stringify(params)}`);
}

/**
 * The text of `key` in `locale` with `params` filled in: `t('ru', 'common_points', { count: 3,
 * n: '3' })` → "3 балла". Throws when the key is missing, naming the file.
 */
export function t(locale: Locale, key: string, params: Params = {}): string {
	const message = messages(locale)[key];
	if (message === undefined) throw new Error(`${key} is not in messages/${locale}.json`);
	return pick(locale, key, message, params).replace(/\{(\w+)\}/g, (whole, name) =>
		name in params ? String(params[name]) : whole
	);
}

/** A pattern matching the whole text of `key` in `locale`, whatever its placeholders hold. */
export function pattern(locale: Locale, key: string, params: Params = {}): RegExp {
	const text = t(locale, key, params);
	const parts = text.split(/\{\w+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
	return new RegExp(`^${parts.join('.+?')}$`);
}

/**
 * The text of `key` in `locale`, for specs that run in English and in other languages. In English
 * it is `english`, the wording the English specs assert; the English message, once the page that
 * says it is translated, must read the same.
 */
export function say(locale: Locale, key: string, english: string, params: Params = {}): string {
	if (locale !== 'en') return t(locale, key, params);
	const message = messages('en')[key];
	if (message !== undefined && t('en', key, params) !== english)
		throw new Error(`messages/en.json has ${key} = "${t('en', key, params)}", not "${english}"`);
	return english;
}

/**
 * Every form a message can take in `locale` (each plural form), with its markup tags and
 * placeholders cut out: what a test can look for whatever the count.
 */
export function forms(locale: Locale, key: string): string[] {
	const message = messages(locale)[key];
	if (message === undefined) throw new Error(`${key} is not in messages/${locale}.json`);
	const texts =
		typeof message === 'string' ? [message] : message.flatMap((v) => Object.values(v.match));
	return texts.map((text) => text.replace(/\{[^}]*\}/g, '').trim());
}
