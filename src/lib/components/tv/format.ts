// Small formatting helpers shared by the TV views.

export { points } from '../../format/numbers';

export function initials(name: string): string {
	return name
		.split(/\s+/)
		.filter(Boolean)
		.map((part) => part[0])
		.slice(0, 2)
		.join('')
		.toUpperCase();
}

/** "5 minutes ago", "yesterday": the one relative format (src/lib/format/dates.ts). */
export { ago } from '$lib/format/dates';

const MARKER = '\u0000';

/**
 * A whole translated sentence with one value set apart (a name in bold): the text before and
 * after that value, so the sentence's word order stays the translator's.
 */
export function around(sentence: (marker: string) => string): [string, string] {
	const [before, after = ''] = sentence(MARKER).split(MARKER);
	return [before, after];
}
