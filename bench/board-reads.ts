// What the live boards' reads cost on SQLite (#20: the pages' and the API's board reads ported
// onto the store, boards/leaderboard.ts). Two reads, on one file of one live season:
// - the top of the board with the viewer's place (the home page, /challenges, the TV without a
//   viewer): `readBoardTop(store, …, { viewerId })`, before `getBoardTop(db, …)`;
// - a page of the ranking after a cursor in the middle (/ranking's "show more", the leaderboard
//   API's `?after=`): `readRankingPage(store, …)`, before `getRankingPage(db, …)` (gone since:
//   the synchronous variant is now the publisher's window read, `rankingPage`).
// Variants: the reads of an older checkout (`--old <worktree>`, e.g.
// `git worktree add /tmp/base 8f91480`, its node_modules a symlink to this one's: its
// synchronous reads, and its store's where it has them), the store's awaited read (the
// synchronous twins went on 2026-12-07: the pushes read through the store), and the bare stack (one prepared statement of
// better-sqlite3 reading the page's 50 rows). Interleaved, rounds × iterations; prints
// the median µs and CPU µs per read.
// Run with `npx tsx bench/board-reads.ts [--old <worktree>] [--people 1000] [--rounds 7] [--n 500]`.
import { join, resolve } from 'node:path';
import { standing } from '../src/lib/server/db/schema';
import { readBoardTop, readRankingPage } from '../src/lib/server/boards/leaderboard';
import { decodeCursor } from '../src/lib/server/boards/ranking-window';
import { option } from './lib/args';
import { benchContest } from './lib/contest-file';
import { timeInterleaved, type Variant } from './lib/interleaved';

const ROUNDS = option('rounds', 7);
const N = option('n', 500);
const PEOPLE = option('people', 1_000);
const at = process.argv.indexOf('--old');
const OLD = at === -1 ? null : resolve(process.argv[at + 1]);

const { db, store, seasons, people, remove } = benchContest('board-reads', { people: PEOPLE });
const seasonId = seasons[0].id;
// Nine in ten have scored (points in steps of 5, so that ties come in groups); the rest joined
// and are at 0 without a standing row, as on a real board.
db.transaction((tx) => {
	for (const [i, p] of people.entries())
		if (i % 10 !== 9)
			tx.insert(standing)
				.values({
					seasonId,
					subjectType: 'user',
					subjectId: p.id,
					confirmedPoints: 5 * ((i * 7919) % 400),
					salesCount: 1,
					reachedAt: i % 50,
					updatedAt: 0
				})
				.run();
});
const viewer = people[Math.floor(PEOPLE / 2)].id;
const middle = (await readRankingPage(store, seasonId, { limit: Math.floor(PEOPLE / 2) }))!.next!;
const middleAt = decodeCursor(middle)!;

type Before = {
	getBoardTop: (
		db: unknown,
		seasonId: number,
		options: { viewerId?: number }
	) => { individual: unknown[] } | null;
	/** Before the port only (the synchronous page read). */
	getRankingPage?: (
		db: unknown,
		seasonId: number,
		options: { after?: string; limit: number }
	) => { entries: unknown[] } | null;
	/** Since the port: the store's reads. */
	readBoardTop?: typeof readBoardTop;
	readRankingPage?: typeof readRankingPage;
};
const oldReads = OLD
	? ((await import(join(OLD, 'src/lib/server/boards/leaderboard.ts'))) as Before)
	: null;

// The bare stack: one prepared statement reading the same page's 50 rows through the rank index
// (no ranks, no tie groups, no transaction): the least a page of the board can cost.
const bare = db.$client.prepare(
	`SELECT s.subject_id, u.display_name, s.confirmed_points FROM standing s
	JOIN "user" u ON u.id = s.subject_id
	WHERE s.season_id = ? AND s.subject_type = 'user' AND s.confirmed_points < ?
	ORDER BY s.confirmed_points DESC, s.reached_at ASC LIMIT 50`
);

const check = (n: number | undefined) => {
	if (n !== 50 && n !== 10) throw new Error(`read ${n} rows`);
};
const variants: Variant[] = [];
if (oldReads) {
	const { getRankingPage, readBoardTop: oldTop, readRankingPage: oldPage } = oldReads;
	variants.push({
		name: 'board top, before (synchronous, base)',
		ops: N,
		run: () => {
			for (let i = 0; i < N; i++)
				check(oldReads.getBoardTop(db, seasonId, { viewerId: viewer })?.individual.length);
		}
	});
	if (getRankingPage)
		variants.push({
			name: 'ranking page, before (synchronous, base)',
			ops: N,
			run: () => {
				for (let i = 0; i < N; i++)
					check(getRankingPage(db, seasonId, { after: middle, limit: 50 })?.entries.length);
			}
		});
	if (oldTop && oldPage) {
		// The older checkout's store on the same file (its own store module and statements).
		const { sqliteStore: oldStore } = (await import(
			join(OLD!, 'src/lib/server/db/store.ts')
		)) as typeof import('../src/lib/server/db/store');
		const before = oldStore(db);
		variants.push(
			{
				name: 'board top, store (awaited), base',
				ops: N,
				run: async () => {
					for (let i = 0; i < N; i++)
						check((await oldTop(before, seasonId, { viewerId: viewer }))?.individual.length);
				}
			},
			{
				name: 'ranking page, store (awaited), base',
				ops: N,
				run: async () => {
					for (let i = 0; i < N; i++)
						check((await oldPage(before, seasonId, { after: middle, limit: 50 }))?.entries.length);
				}
			}
		);
	}
}
variants.push(
	{
		name: 'bare: one prepared SELECT of 50',
		ops: N,
		run: () => {
			for (let i = 0; i < N; i++) check(bare.all(seasonId, middleAt.p).length);
		}
	},
	{
		name: 'board top, store (awaited)',
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++)
				check((await readBoardTop(store, seasonId, { viewerId: viewer }))?.individual.length);
		}
	},
	{
		name: 'ranking page, store (awaited)',
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++)
				check(
					(await readRankingPage(store, seasonId, { after: middle, limit: 50 }))?.entries.length
				);
		}
	}
);

console.log(`${ROUNDS - 1} counted rounds; ${N} reads per round; ${PEOPLE} people, one season`);
await timeInterleaved(variants, ROUNDS);
remove();
