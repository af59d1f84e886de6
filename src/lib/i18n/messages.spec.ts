// The message files (messages/<locale>.json) are complete and all in use: a key missing from a
// language, a plural without the forms its language needs, a placeholder a translation invents,
// a message no code calls, or an English sentence left untranslated fails here.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCALES } from './locales';

const ROOT = join(import.meta.dirname, '../../..');
type Variant = { declarations?: string[]; selectors?: string[]; match: Record<string, string> };
type Message = string | Variant[];

function load(locale: string): Record<string, Message> {
	const raw = JSON.parse(readFileSync(join(ROOT, 'messages', `${locale}.json`), 'utf8'));
	delete raw.$schema;
	return raw;
}

const files = Object.fromEntries(LOCALES.map((l) => [l, load(l)]));
const english = files.en;

function texts(message: Message): string[] {
	return typeof message === 'string' ? [message] : message.flatMap((v) => Object.values(v.match));
}

function placeholders(message: Message): Set<string> {
	const found = new Set<string>();
	for (const text of texts(message))
		for (const [, name] of text.matchAll(/\{(\w+)\}/g)) found.add(name);
	if (typeof message !== 'string')
		for (const v of message)
			for (const d of v.declarations ?? []) {
				const input = /^input (\w+)$/.exec(d);
				if (input) found.add(input[1]);
			}
	return found;
}

function sources(dir: string, out: string[] = []): string[] {
	for (const name of readdirSync(dir)) {
		if (name === 'paraglide' || name === 'node_modules') continue;
		const path = join(dir, name);
		if (statSync(path).isDirectory()) sources(path, out);
		else if (/\.(ts|svelte|js|mjs)$/.test(name) && !/\.spec\.ts$/.test(name)) out.push(path);
	}
	return out;
}

// Words that read the same in every language (names, units, codes).
const SAME_EVERYWHERE =
	/^[\s\d\W]*(Honorboard|CSV|API|URL|TV|OK|ID|Excel|JSON|HTTP|HTTPS|Slack|Teams|SKU|E-mail|Email|Webhooks?|Token|OpenAPI|Salesforce|HubSpot|Pipedrive|Prometheus|[A-Z]{2,5})?[\s\d\W]*$/;

describe('messages', () => {
	it('are written the one way the tools write them: tab-indented, keys sorted', () => {
		for (const locale of LOCALES) {
			const text = readFileSync(join(ROOT, 'messages', `${locale}.json`), 'utf8');
			const parsed = JSON.parse(text);
			const keys = Object.keys(parsed).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
			const canonical = JSON.stringify(
				Object.fromEntries(keys.map((k) => [k, parsed[k]])),
				null,
				'\t'
			);
			expect({ locale, same: text === canonical + '\n' }).toEqual({ locale, same: true });
		}
	});

	it('exist in every language with the same keys as English', () => {
		for (const locale of LOCALES) {
			const keys = Object.keys(files[locale]).sort();
			expect({
				locale,
				missing: Object.keys(english).filter((k) => !(k in files[locale]))
			}).toEqual({
				locale,
				missing: []
			});
			expect({ locale, extra: keys.filter((k) => !(k in english)) }).toEqual({ locale, extra: [] });
		}
	});

	it('use only the placeholders the English message has', () => {
		for (const locale of LOCALES)
			for (const [key, message] of Object.entries(files[locale])) {
				const allowed = placeholders(english[key] ?? '');
				const invented = [...placeholders(message)].filter((p) => !allowed.has(p));
				expect({ locale, key, invented }).toEqual({ locale, key, invented: [] });
			}
	});

	it('give each plural every form its language needs', () => {
		for (const locale of LOCALES) {
			const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
			for (const [key, message] of Object.entries(files[locale])) {
				if (typeof message === 'string') continue;
				for (const variant of message) {
					if (!variant.declarations?.some((d) => /: plural/.test(d))) continue;
					const given = Object.keys(variant.match).map((k) => k.split('=').at(-1));
					const lacking = categories.filter((c) => !given.includes(c) && !given.includes('*'));
					expect({ locale, key, lacking }).toEqual({ locale, key, lacking: [] });
				}
			}
		}
	});

	it('are translated, not English copied into another language', () => {
		for (const locale of LOCALES.filter((l) => l !== 'en'))
			for (const [key, message] of Object.entries(files[locale])) {
				const same = texts(message).filter(
					(text, i) =>
						text === texts(english[key])[i] &&
						/[a-z]{3,}.*\s.*[a-z]{3,}/i.test(text.replace(/\{\w+\}/g, '')) &&
						!SAME_EVERYWHERE.test(text.replace(/\{\w+\}/g, ''))
				);
				expect({ locale, key, same }).toEqual({ locale, key, same: [] });
			}
	});

	it('are all used by the code', () => {
		const used = new Set<string>();
		for (const file of [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'scripts'))]) {
			const text = readFileSync(file, 'utf8');
			for (const [, key] of text.matchAll(/\bm\.(\w+)\b/g)) used.add(key);
			for (const [, key] of text.matchAll(/\bm\[['"](\w+)['"]\]/g)) used.add(key);
			// Keys picked by a computed name list their whole names in a `messageKeys` comment.
			for (const [, list] of text.matchAll(/i18n-keys:\s*([\w\s,]+)/g))
				for (const key of list.split(/[\s,]+/)) if (key) used.add(key);
		}
		expect(Object.keys(english).filter((key) => !used.has(key))).toEqual([]);
	});
});
