// What choosing the season a page shows costs on SQLite (#20: seasons/choice.ts and
// seasons/queries.ts ported onto the store). The app's layout runs it on every signed-in page:
// the person's live seasons (the switcher), the chosen season, then the person's team in it.
// Before: the synchronous reads the layout ran (the same queries with `.all()`/`.get()`: the
// options query as choice.ts had it, and the synchronous getSeason, getLiveSeasonFor (their
// copies in lib/before-port.ts) and getMembership that the sales path keeps); after: the awaited `chosenSeason(store, …)` and
// `readMembership(store, …)`. One file of 5 live seasons and 2,000 people (each in one season,
// every tenth in two); people taken in turn, half with a remembered choice (the cookie), half
// without; variants interleaved, rounds × iterations; prints the median µs and CPU µs per page.
// Run with `npx tsx bench/season-choice.ts [--rounds 9] [--n 20000]`.
import { chosenSeason } from '../src/lib/server/seasons/chosen';
import { readMembership } from '../src/lib/server/seasons/queries';
import { option } from './lib/args';
import { layoutReadsBefore } from './lib/before-port';
import { benchContest } from './lib/contest-file';
import { timeInterleaved } from './lib/interleaved';

const ROUNDS = option('rounds', 9);
const N = option('n', 20_000);
const SEASONS = 5;
const PEOPLE = 2_000;

const contest = benchContest('season-choice', {
	seasons: SEASONS,
	people: PEOPLE,
	alsoNextEvery: 10
});
const { db, store } = contest;
const people = contest.people.map((p, i) => ({
	id: p.id,
	role: 'participant' as const,
	cookie: i % 2 ? String(p.seasonId) : undefined
}));
const url = new URL('http://127.0.0.1/');
const cookiesOf = (cookie: string | undefined) => ({
	get: () => cookie,
	set: () => {}
});

async function after(person: (typeof people)[number]) {
	const { season: chosen } = await chosenSeason(store, person, url, cookiesOf(person.cookie));
	return chosen ? readMembership(store, chosen.id, person.id) : undefined;
}

const at = (i: number) => people[i % PEOPLE];
console.log(
	`${ROUNDS - 1} counted rounds; ${N} pages per round; ${PEOPLE} people, ${SEASONS} seasons`
);
await timeInterleaved(
	[
		{
			name: 'layout reads, before (synchronous)',
			ops: N,
			run: () => {
				for (let i = 0; i < N; i++) if (!layoutReadsBefore(db, at(i))) throw new Error('no season');
			}
		},
		{
			name: 'layout reads, store (awaited)',
			ops: N,
			run: async () => {
				for (let i = 0; i < N; i++) if (!(await after(at(i)))) throw new Error('no season');
			}
		}
	],
	ROUNDS
);
contest.remove();
