// What the badges' reads cost on SQLite now that they go through the store (#20, badges/
// queries.ts, levels.ts, commands.ts, awards-since.ts): the reads of one /manage/badges page
// (the list with its award counts, the levels, the starter badges missing) and one page of 100
// awards of GET /api/v1/seasons/{id}/badges. The ported, awaited functions against the
// synchronous ones of an older checkout (`--old <worktree>`, e.g. `git worktree add
// /work/wt-old <commit>`; there they take a Db), both on one file: a season of 200 people,
// 12 badges and 12 × 167 awards. Variants interleaved, rounds × iterations; prints the median µs
// and the CPU µs per operation.
// Run with `npx tsx bench/badges-console.ts [--old <worktree>] [--rounds 7] [--n 2000]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '../src/lib/server/db';
import { award, badge, season, user } from '../src/lib/server/db/schema';
import { sqliteStore } from '../src/lib/server/db/store';
import { listSeasonBadges } from '../src/lib/server/badges/queries';
import { getLevels } from '../src/lib/server/badges/levels';
import { missingStarterBadges } from '../src/lib/server/badges/commands';
import { awardsSince } from '../src/lib/server/badges/awards-since';
import { theme } from '../tests/helpers/factories';
import { option } from './lib/args';
import { timeInterleaved, type Variant } from './lib/interleaved';

const ROUNDS = option('rounds', 7);
const N = option('n', 2_000);
const at = process.argv.indexOf('--old');
const OLD = at === -1 ? null : resolve(process.argv[at + 1]);
const PEOPLE = 200;
const PAGE = 100;
const AWARDS_PER_BADGE = 167;

const dir = mkdtempSync(join(tmpdir(), 'honorboard-badges-console-bench-'));
const file = join(dir, 'bench.db');
const db = openDatabase(file);
const store = sqliteStore(db);
const seasonId = db
	.insert(season)
	.values({ name: 'Bench', theme, startsAt: 0, endsAt: 1e13, status: 'live' })
	.returning()
	.get().id;
const people = Array.from(
	{ length: PEOPLE },
	(_, i) =>
		db
			.insert(user)
			.values({ email: `p${i}@x`, displayName: `P ${i}`, role: 'participant', passwordHash: 'x' })
			.returning()
			.get().id
);
const badges = Array.from(
	{ length: 12 },
	(_, i) =>
		db
			.insert(badge)
			.values({ seasonId, name: `Badge ${i}`, criterion: { kind: 'sales_count', count: i + 1 } })
			.returning()
			.get().id
);
db.transaction((tx) => {
	for (const [b, badgeId] of badges.entries())
		for (let p = 0; p < AWARDS_PER_BADGE; p++)
			tx.insert(award)
				.values({
					badgeId,
					seasonId,
					subjectType: 'user',
					subjectId: people[p % PEOPLE],
					periodKey: p < PEOPLE ? '' : `w${p}`,
					earnedAt: b * 1_000 + p,
					createdAt: b * 1_000 + p
				})
				.run();
});
const page = { since: 0, limit: PAGE };

const variants: Variant[] = [
	{
		name: 'console page reads, store (awaited)',
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++) {
				await listSeasonBadges(store, seasonId);
				await getLevels(store, seasonId);
				await missingStarterBadges(store, seasonId);
			}
		}
	},
	{
		name: `awards since, ${PAGE}, store (awaited)`,
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++)
				if ((await awardsSince(store, seasonId, page)).entries.length !== PAGE)
					throw new Error('short page');
		}
	}
];
if (OLD) {
	// The older checkout's own modules, on its own connection to the same file.
	type Read = (db: unknown, seasonId: number, options?: unknown) => unknown;
	const load = async (path: string) => (await import(join(OLD, path))) as Record<string, Read>;
	const queries = await load('src/lib/server/badges/queries.ts');
	const levels = await load('src/lib/server/badges/levels.ts');
	const commands = await load('src/lib/server/badges/commands.ts');
	const since = await load('src/lib/server/badges/awards-since.ts');
	const oldDb = (
		(await import(join(OLD, 'src/lib/server/db/index.ts'))) as {
			openDatabase: (file: string) => unknown;
		}
	).openDatabase(file);
	variants.unshift({
		name: 'console page reads, before (synchronous)',
		ops: N,
		run: () => {
			for (let i = 0; i < N; i++) {
				queries.listSeasonBadges(oldDb, seasonId);
				levels.getLevels(oldDb, seasonId);
				commands.missingStarterBadges(oldDb, seasonId);
			}
		}
	});
	variants.splice(2, 0, {
		name: `awards since, ${PAGE}, before (synchronous)`,
		ops: N,
		run: () => {
			for (let i = 0; i < N; i++) {
				const read = since.awardsSince(oldDb, seasonId, page) as { entries: unknown[] };
				if (read.entries.length !== PAGE) throw new Error('short page');
			}
		}
	});
}

console.log(`${ROUNDS - 1} counted rounds; ${N} of each per round`);
await timeInterleaved(variants, ROUNDS);
db.$client.close();
rmSync(dir, { recursive: true, force: true });
