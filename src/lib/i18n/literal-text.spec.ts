// No page or component shows a word that is not a message: every text a person reads comes from
// messages/<locale>.json through `m.*`. Checked on each .svelte file's markup (text, and the
// attributes people read: title, placeholder, alt, aria-label…); manager-entered data (season
// names, product names) arrives through expressions and is never flagged.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'svelte/compiler';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const READ_ATTRIBUTES = new Set([
	'title',
	'placeholder',
	'alt',
	'aria-label',
	'aria-description',
	'aria-roledescription',
	'aria-valuetext',
	'label'
]);
// Text that reads the same in every language: the product's name, codes, units and symbols.
const NEUTRAL =
	/^(Honorboard|CSV|API|TV|OK|ID|JSON|URL|SKU|PNG|SVG|XLSX|UTC|[A-Z]{1,4}\d*|[#·•…×÷+\-–—%/:|()[\]0-9.,!?€$£¥₽zł\s]*)$/u;

function svelteFiles(dir: string, out: string[] = []): string[] {
	for (const name of readdirSync(dir)) {
		if (name === 'paraglide') continue;
		const path = join(dir, name);
		if (statSync(path).isDirectory()) svelteFiles(path, out);
		else if (name.endsWith('.svelte')) out.push(path);
	}
	return out;
}

interface Found {
	text: string;
	line: number;
}

function literalTexts(source: string): Found[] {
	const ast = parse(source, { modern: true });
	const found: Found[] = [];
	const lineOf = (index: number) => source.slice(0, index).split('\n').length;
	const check = (text: string, start: number) => {
		const trimmed = text.replace(/&nbsp;|&[a-z]+;|&#\d+;/g, ' ').trim();
		if (trimmed && /\p{L}{2,}/u.test(trimmed) && !NEUTRAL.test(trimmed))
			found.push({ text: trimmed.slice(0, 60), line: lineOf(start) });
	};
	const walk = (node: unknown, inStyleOrScript = false): void => {
		if (!node || typeof node !== 'object') return;
		if (Array.isArray(node)) return node.forEach((n) => walk(n, inStyleOrScript));
		const n = node as Record<string, unknown> & { type?: string; start?: number };
		if (n.type === 'Script' || n.type === 'StyleSheet' || n.type === 'Style') return;
		if (n.type === 'Text' && typeof n.data === 'string') check(n.data, n.start ?? 0);
		if (n.type === 'Attribute' && typeof n.name === 'string' && READ_ATTRIBUTES.has(n.name)) {
			const value = n.value;
			if (Array.isArray(value))
				for (const part of value)
					if (part.type === 'Text') check(part.data as string, (part.start as number) ?? 0);
			return;
		}
		if (n.type === 'Attribute') return;
		for (const [key, value] of Object.entries(n)) {
			if (key === 'metadata' || key === 'parent' || key === 'expression') continue;
			walk(value, inStyleOrScript);
		}
	};
	walk(ast.fragment);
	return found;
}

const files = svelteFiles(join(ROOT, 'src')).map((f) => relative(ROOT, f));

function routeServerFiles(dir: string, out: string[] = []): string[] {
	for (const name of readdirSync(dir)) {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) routeServerFiles(path, out);
		else if (/^\+(page|layout)\.server\.ts$|^\+server\.ts$/.test(name)) out.push(path);
	}
	return out;
}

/**
 * Sentences in code: a quoted string of three words or more that starts with a capital letter
 * ("Sale registered for Sam"), in a component's script or a route's server module (form errors,
 * toasts). Log lines (`log.info(…)`) and comments are not read by the people using the app.
 */
function sentencesInCode(source: string): Found[] {
	const code = source
		.replace(/<style[\s\S]*?<\/style>/g, (s) => s.replace(/[^\n]/g, ' '))
		.replace(/\/\*[\s\S]*?\*\//g, (s) => s.replace(/[^\n]/g, ' '))
		.replace(/(^|[^:])\/\/.*$/gm, (s, p) => p + ' '.repeat(s.length - p.length))
		.replace(/<!--[\s\S]*?-->/g, (s) => s.replace(/[^\n]/g, ' '))
		.replace(/\blog\.(debug|info|warn|error)\([^;]*;/g, (s) => s.replace(/[^\n]/g, ' '));
	const scripts = source.includes('<script')
		? [...code.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((m) => ({
				text: m[1],
				offset: (m.index ?? 0) + m[0].indexOf(m[1])
			}))
		: [{ text: code, offset: 0 }];
	const found: Found[] = [];
	for (const script of scripts)
		for (const match of script.text.matchAll(/(['"`])((?:(?!\1)[^\\\n]|\\.)*)\1/g)) {
			const text = match[2].replace(/\$\{[^}]*\}/g, 'x');
			if (/^[A-Z][a-z']*( +[\p{L}'’,.:!?x-]+){2,}/u.test(text))
				found.push({
					text: text.slice(0, 60),
					line: source.slice(0, script.offset + (match.index ?? 0)).split('\n').length
				});
		}
	return found;
}

// The JSON API (/api/v1) answers integrators, not people at a screen: its messages are English,
// like its field names and error codes (docs/languages.md).
const codeFiles = [
	...files,
	...routeServerFiles(join(ROOT, 'src/routes'))
		.map((f) => relative(ROOT, f))
		.filter((f) => !f.startsWith('src/routes/api/'))
];

describe('every toast and form error speaks through messages', () => {
	it.each(codeFiles)('%s has no sentence in its code', (file) => {
		const found = sentencesInCode(readFileSync(join(ROOT, file), 'utf8'));
		expect(found.map((f) => `${file}:${f.line} ${JSON.stringify(f.text)}`)).toEqual([]);
	});
});

describe('every page and component speaks through messages', () => {
	it.each(files)('%s has no literal text', (file) => {
		const found = literalTexts(readFileSync(join(ROOT, file), 'utf8'));
		expect(found.map((f) => `${file}:${f.line} ${JSON.stringify(f.text)}`)).toEqual([]);
	});
});
