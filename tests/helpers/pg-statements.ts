// What a piece of work sends to PostgreSQL, counted by the statements' text: how a test shows
// that a round trip went (a read ahead, a many-row insert) without timing anything.
import pg from 'pg';

/**
 * Counts the statements this process sends to PostgreSQL while `work` runs, by pattern: each
 * statement under the first pattern (in the object's order) its text matches, its whitespace
 * folded to single spaces.
 */
export async function statementsDuring<K extends string>(
	patterns: Record<K, RegExp>,
	work: () => Promise<unknown>
): Promise<Record<K, number>> {
	const keys = Object.keys(patterns) as K[];
	const counts = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
	const query = pg.Client.prototype.query;
	pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
		const config = args[0] as string | { text?: string } | undefined;
		const text = (typeof config === 'string' ? config : (config?.text ?? '')).replace(/\s+/g, ' ');
		const key = keys.find((k) => patterns[k].test(text));
		if (key) counts[key]++;
		return (query as (...a: unknown[]) => unknown).apply(this, args);
	} as typeof query;
	try {
		await work();
	} finally {
		pg.Client.prototype.query = query;
	}
	return counts;
}
