// What keeping the store's statements prepared saves on SQLite (#20: db/store.ts prepares each
// query text once per connection, `cachedStatement`; before, Drizzle prepared every query it
// ran again), and building the ledger's and the audit's queries once (`preparedQuery`, compared
// with `--old` a checkout before it, e.g. ef47e55). Two paths the store serves, each timed with
// the store code of this checkout and, with `--old <worktree>` (e.g. `git worktree add
// /work/wt-old aa6e1cb`), with that older checkout's store code in the same process (the
// synchronous code the paths had before their ports went on 2026-12-07 with bench/lib/before-port.ts).
// The paths: a manager's adjustment (`adjustPoints`, one write of six statements) and the
// season a signed-in page shows (`chosenSeason` + `readMembership`, reads outside a write), on
// one file of 5 live seasons and 2,000 people. Variants interleaved, rounds × iterations; prints
// the median µs and CPU µs per operation.
// Run with `npx tsx bench/store-statements.ts [--old <worktree>] [--rounds 7] [--n 5000]`.
import { join, resolve } from 'node:path';
import { type Store } from '../src/lib/server/db/store';
import type { sqliteStore } from '../src/lib/server/db/store';
import { adjustPoints } from '../src/lib/server/scoring/adjustments';
import { chosenSeason } from '../src/lib/server/seasons/chosen';
import { readMembership } from '../src/lib/server/seasons/queries';
import { option } from './lib/args';
import { benchContest } from './lib/contest-file';
import { timeInterleaved, type Variant } from './lib/interleaved';

const ROUNDS = option('rounds', 7);
const N = option('n', 5_000);
const at = process.argv.indexOf('--old');
const OLD = at === -1 ? null : resolve(process.argv[at + 1]);
const SEASONS = 5;
const PEOPLE = 2_000;

const contest = benchContest('store-statements', { seasons: SEASONS, people: PEOPLE });
const { db, store, managerId } = contest;
const people = contest.people.map((p, i) => ({
	...p,
	role: 'participant' as const,
	cookie: i % 2 ? String(p.seasonId) : undefined
}));
const person = (i: number) => people[i % PEOPLE];
const adjustment = (i: number) => ({
	seasonId: person(i).seasonId,
	userId: person(i).id,
	points: (i % 7) + 1,
	reason: 'bench',
	actor: { userId: managerId }
});
const url = new URL('http://127.0.0.1/');
const cookiesOf = (cookie: string | undefined) => ({ get: () => cookie, set: () => {} });

type StoreCode = {
	name: string;
	store: Store;
	adjust: typeof adjustPoints;
	chosen: typeof chosenSeason;
	membership: typeof readMembership;
};
const codes: StoreCode[] = [];
if (OLD) {
	const load = async <T>(path: string) => (await import(join(OLD, 'src/lib/server', path))) as T;
	const oldStore = await load<{ sqliteStore: typeof sqliteStore }>('db/store.ts');
	codes.push({
		name: 'older store',
		store: oldStore.sqliteStore(db),
		adjust: (await load<{ adjustPoints: typeof adjustPoints }>('scoring/adjustments.ts'))
			.adjustPoints,
		chosen: (await load<{ chosenSeason: typeof chosenSeason }>('seasons/chosen.ts')).chosenSeason,
		membership: (await load<{ readMembership: typeof readMembership }>('seasons/queries.ts'))
			.readMembership
	});
}
codes.push({
	name: 'this store',
	store,
	adjust: adjustPoints,
	chosen: chosenSeason,
	membership: readMembership
});

const variants: Variant[] = [
	...codes.map((code) => ({
		name: `adjust, ${code.name}`,
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++) await code.adjust(code.store, adjustment(i));
		}
	})),
	...codes.map((code) => ({
		name: `page, ${code.name}`,
		ops: N * 4,
		run: async () => {
			for (let i = 0; i < N * 4; i++) {
				const p = person(i);
				const { season: chosen } = await code.chosen(code.store, p, url, cookiesOf(p.cookie));
				if (!chosen || !(await code.membership(code.store, chosen.id, p.id)))
					throw new Error('none');
			}
		}
	}))
];

console.log(
	`${ROUNDS - 1} counted rounds; ${N} adjustments, ${N * 4} pages per round; ` +
		`${PEOPLE} people, ${SEASONS} seasons`
);
await timeInterleaved(variants, ROUNDS);
contest.remove();
