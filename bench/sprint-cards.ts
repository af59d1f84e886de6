// What the sprints' cards cost on SQLite (#20: sprints and knockouts ported onto the store,
// sprints/view.ts). `/sprints` reads every sprint of the season with its outcome and names, the
// awaited `readSprintCards(store, …)` in one `read`; a push builds the same cards synchronously
// (`sprintsView.build`, the same generator run with `.all()`), on one file: a live season of 200 people, 20 ledger entries each over the last day, 4 sprints (2 still
// running, 1 won in the running period, 1 whose period is over). Variants interleaved, rounds ×
// iterations; prints the median µs and CPU µs per page's read.
// Run with `npx tsx bench/sprint-cards.ts [--rounds 7] [--n 1000]`.
import { ledgerEntry, sprint } from '../src/lib/server/db/schema';
// Loaded before the sprints' view, as the app loads them: the views import each other.
import '../src/lib/server/formats/views';
import { readSprintCards, sprintsView, type SprintsState } from '../src/lib/server/sprints/view';
import { option } from './lib/args';
import { benchContest } from './lib/contest-file';
import { timeInterleaved, type Variant } from './lib/interleaved';

const ROUNDS = option('rounds', 7);
const N = option('n', 1_000);
const HOUR = 3_600_000;
const now = Date.now();

const { db, store, seasons, people, remove } = benchContest('sprint-cards', {
	season: { startsAt: now - 30 * 24 * HOUR, endsAt: now + 30 * 24 * HOUR }
});
const seasonId = seasons[0].id;
db.transaction((tx) => {
	for (const [i, p] of people.entries())
		for (let e = 0; e < 20; e++)
			tx.insert(ledgerEntry)
				.values({
					seasonId,
					userId: p.id,
					teamId: p.teamId,
					kind: 'adjustment',
					points: 1 + ((i + e) % 7),
					status: 'confirmed',
					reason: 'bench',
					createdAt: now - 24 * HOUR + e * HOUR
				})
				.run();
	const race = (name: string, target: number, from: number, to: number) =>
		tx
			.insert(sprint)
			.values({
				seasonId,
				name,
				subject: 'user',
				measure: 'points',
				target,
				startsAt: from,
				endsAt: to,
				status: 'live'
			})
			.run();
	race('Running, far', 10_000, now - 24 * HOUR, now + 24 * HOUR);
	race('Running, near', 200, now - 24 * HOUR, now + 24 * HOUR);
	race('Won', 60, now - 24 * HOUR, now + 24 * HOUR);
	race('Over', 10_000, now - 48 * HOUR, now - 2 * HOUR);
});

const variants: Variant[] = [
	{
		name: "sprints' view, as a push builds it (synchronous)",
		ops: N,
		run: () => {
			for (let i = 0; i < N; i++)
				if ((sprintsView.build(db, seasonId, now) as SprintsState).sprints.length !== 4)
					throw new Error('cards');
		}
	},
	{
		name: 'sprints page, store (awaited)',
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++)
				if ((await readSprintCards(store, seasonId, now, { all: true })).length !== 4)
					throw new Error('cards');
		}
	}
];

console.log(`${ROUNDS - 1} counted rounds; ${N} page reads per round; 200 people, 4 sprints`);
await timeInterleaved(variants, ROUNDS);
remove();
