// What finding a person's division costs on SQLite, the read the home page and /divisions run on
// every load (#20: divisions ported onto the store, divisions/standings.ts `divisionOf`). The
// ported, awaited `divisionOf(store, …)` against the synchronous one of an older checkout
// (`--old <worktree>`, e.g. `git worktree add /work/wt-old <commit>`; its standings.ts takes a
// Queryable), both on one file of a season of 1,000 people in four divisions, people taken in
// turn, with the bare stack's prepared statement as the anchor; variants interleaved, rounds ×
// iterations; prints the median µs and CPU µs per read.
// Run with `npx tsx bench/division-of.ts [--old <worktree>] [--rounds 7] [--n 20000]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '../src/lib/server/db';
import {
	division,
	divisionMember,
	season,
	seasonMember,
	team,
	user
} from '../src/lib/server/db/schema';
import { sqliteStore } from '../src/lib/server/db/store';
import { divisionOf } from '../src/lib/server/divisions/standings';
import { theme } from '../tests/helpers/factories';
import { option } from './lib/args';
import { timeInterleaved, type Variant } from './lib/interleaved';

const ROUNDS = option('rounds', 7);
const N = option('n', 20_000);
const at = process.argv.indexOf('--old');
const OLD = at === -1 ? null : resolve(process.argv[at + 1]);

const dir = mkdtempSync(join(tmpdir(), 'honorboard-division-of-bench-'));
const file = join(dir, 'bench.db');
const db = openDatabase(file);
const store = sqliteStore(db);
const s = db
	.insert(season)
	.values({ name: 'Bench', theme, startsAt: 0, endsAt: 1e13, status: 'live' })
	.returning()
	.get();
const divisions = [1, 2, 3, 4].map(
	(position) =>
		db
			.insert(division)
			.values({ seasonId: s.id, name: `D${position}`, position, promote: 1, relegate: 1 })
			.returning()
			.get().id
);
const teamId = db.insert(team).values({ seasonId: s.id, name: 'Team' }).returning().get().id;
const people: number[] = [];
for (let i = 0; i < 1000; i++) {
	const { id } = db
		.insert(user)
		.values({ email: `p${i}@x`, displayName: `P ${i}`, role: 'participant', passwordHash: 'x' })
		.returning()
		.get();
	db.insert(seasonMember).values({ seasonId: s.id, userId: id, teamId }).run();
	// Nine in ten play in a division; the rest in none (the read finds no row).
	if (i % 10 !== 0)
		db.insert(divisionMember)
			.values({ seasonId: s.id, userId: id, divisionId: divisions[i % 4], placedBy: 'hand' })
			.run();
	people.push(id);
}
const person = (i: number) => people[i % people.length];
const expected = (i: number) => (i % people.length) % 10 !== 0;

const variants: Variant[] = [
	{
		name: 'divisionOf, store (awaited)',
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++)
				if (((await divisionOf(store, s.id, person(i))) !== null) !== expected(i))
					throw new Error('wrong division');
		}
	}
];
// The bare stack: the same read as one prepared better-sqlite3 statement, no Drizzle.
const bare = db.$client.prepare(
	'select division_id from division_member where season_id = ? and user_id = ?'
);
variants.push({
	name: 'bare prepared statement',
	ops: N,
	run: () => {
		for (let i = 0; i < N; i++)
			if ((bare.get(s.id, person(i)) !== undefined) !== expected(i))
				throw new Error('wrong division');
	}
});
if (OLD) {
	// The older checkout's own modules, on its own connection to the same file.
	type OldDivisionOf = (db: unknown, seasonId: number, userId: number) => number | null;
	const old = (await import(join(OLD, 'src/lib/server/divisions/standings.ts'))) as {
		divisionOf: OldDivisionOf;
	};
	const oldDb = (
		(await import(join(OLD, 'src/lib/server/db/index.ts'))) as {
			openDatabase: (file: string) => unknown;
		}
	).openDatabase(file);
	variants.unshift({
		name: 'divisionOf, before (synchronous)',
		ops: N,
		run: () => {
			for (let i = 0; i < N; i++)
				if ((old.divisionOf(oldDb, s.id, person(i)) !== null) !== expected(i))
					throw new Error('wrong division');
		}
	});
}

console.log(`${ROUNDS - 1} counted rounds; ${N} reads per round`);
await timeInterleaved(variants, ROUNDS);
db.$client.close();
rmSync(dir, { recursive: true, force: true });
