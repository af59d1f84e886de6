// What a manager's adjustment costs on SQLite (#20: scoring/adjustments.ts ported onto the
// store, the ledger's `…InWrite` steps). The awaited `adjustPoints(store, …)` against the
// synchronous body it replaced (base 9e8d5a1: one `db.transaction(…, { behavior: 'immediate' })`
// of the member's read, `appendEntry`, `audit` and `bumpVersion`, which the sales path keeps),
// on one file of 200 members, people taken in turn; variants interleaved, rounds × iterations;
// prints the median µs per adjustment and the CPU µs per adjustment.
// Run with `npx tsx bench/adjust-points.ts [--rounds 7] [--n 5000]`.
import { adjustPoints } from '../src/lib/server/scoring/adjustments';
import { option } from './lib/args';
import { adjustBefore } from './lib/before-port';
import { benchContest } from './lib/contest-file';
import { timeInterleaved, type Variant } from './lib/interleaved';

const ROUNDS = option('rounds', 7);
const N = option('n', 5_000);

const { db, store, people, managerId, remove } = benchContest('adjust');
const input = (i: number) => ({
	seasonId: people[i % people.length].seasonId,
	userId: people[i % people.length].id,
	points: (i % 7) + 1,
	reason: 'bench',
	actor: { userId: managerId }
});

const variants: Variant[] = [
	{
		name: 'adjust, before (synchronous)',
		ops: N,
		run: () => {
			for (let i = 0; i < N; i++) adjustBefore(db, input(i));
		}
	},
	{
		name: 'adjust, store (awaited)',
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++) await adjustPoints(store, input(i));
		}
	}
];

console.log(`${ROUNDS - 1} counted rounds; ${N} adjustments per round`);
await timeInterleaved(variants, ROUNDS);
remove();
