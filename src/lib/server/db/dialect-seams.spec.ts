import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// Issue #20: "Services do not branch on the dialect except inside the store layer". A service
// asks the store (db/dialect.ts, raw-reads.ts, rows-in-write.ts, cluster-lock.ts,
// docs/postgres.md "The store layer") instead of naming the dialect. The
// files below still pick a whole synchronous SQLite body of their own (a twin kept for speed or
// for the read thread) and may name it until that body goes: the list only shrinks.

const SERVER = 'src/lib/server';

/** What names the dialect outside the store layer. */
const DIALECT = /\bstore\.dialect\b|\bunportedSqlite\(|\bisPostgresUrl\b|\bappOnPostgres\b/;

const TWINS_LEFT: Record<string, string> = {
	'badges/catch-up.ts':
		"a run keyed by SQLite's connection (every store on it one database) or by the pool's store",
	'badges/steps.ts': "the badge steps' generator run synchronously on SQLite's connection",
	'scoring/group-commit.ts': "groups keyed by SQLite's connection (every store on it one database)",
	'scoring/sale-lookups.ts': "each dialect's id list (json_each / unnest) in the window's lookups",
	'scoring/write-batch.ts': "SQLite's synchronous standings and days of a window",
	'dashboard/figures.ts': "the dashboard on SQLite's read thread, or inline synchronously",
	'realtime/fanout-process.ts': "the fan-out child opens SQLite's file or the store's pool at start"
};

function sources(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) return sources(path);
		return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
	});
}

/** The files outside db/ that name the dialect, relative to src/lib/server. */
function namingTheDialect(): string[] {
	return sources(SERVER)
		.map((path) => relative(SERVER, path).split('\\').join('/'))
		.filter((file) => !file.startsWith('db/'))
		.filter((file) => DIALECT.test(readFileSync(join(SERVER, file), 'utf8')))
		.sort();
}

describe('the dialect stays in the store layer', () => {
	const naming = namingTheDialect();

	it('no file outside db/ names the dialect, but the twins left', () => {
		const unexpected = naming.filter((file) => !(file in TWINS_LEFT));
		expect(
			unexpected,
			'ask the store (docs/postgres.md, "The store layer") instead of naming the dialect'
		).toEqual([]);
	});

	it('every twin left still names it (a file that stopped leaves the list)', () => {
		const gone = Object.keys(TWINS_LEFT).filter((file) => !naming.includes(file));
		expect(gone, 'remove these from TWINS_LEFT').toEqual([]);
	});

	it('finds a dialect branch where there is one', () => {
		expect(DIALECT.test("if (store.dialect === 'postgres') return;")).toBe(true);
		expect(DIALECT.test('const db = unportedSqlite(store);')).toBe(true);
		expect(DIALECT.test('if (isPostgresUrl(url)) return;')).toBe(true);
		expect(DIALECT.test('const thread = offLoopReader(store, reader);')).toBe(false);
	});
});
