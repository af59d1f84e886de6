// What a scheduler run with nothing due costs on SQLite (#20: seasons/scheduler.ts ported onto
// the store). The seasons' console runs it on every load (/manage/seasons, /manage/seasons/[id]),
// so that a season waiting for people or products opens at once. Before: the synchronous run
// (bench/lib/before-port.ts `schedulerRunBefore`: the lease read, upserted and read back, the due
// season's query); after: the awaited `runScheduler(store, …)` (the lease read, the conditional
// upsert with `returning` in one `write`, the due season's query). One file of 5 live seasons
// and 2,000 people, none due; variants interleaved, rounds × iterations; prints the median µs
// and CPU µs per run. Run with `npx tsx bench/scheduler-run.ts [--rounds 9] [--n 5000]`.
import { runScheduler } from '../src/lib/server/seasons/scheduler';
import { option } from './lib/args';
import { schedulerRunBefore } from './lib/before-port';
import { benchContest } from './lib/contest-file';
import { timeInterleaved } from './lib/interleaved';

const ROUNDS = option('rounds', 9);
const N = option('n', 5_000);

const contest = benchContest('scheduler-run', { seasons: 5, people: 2_000 });
const { db, store } = contest;
const HOLDER = 'bench-holder';
const now = () => Date.now();

console.log(`${ROUNDS - 1} counted rounds; ${N} runs per round; 5 live seasons, none due`);
await timeInterleaved(
	[
		{
			name: 'scheduler run, before (synchronous)',
			ops: N,
			run: () => {
				for (let i = 0; i < N; i++)
					if (!schedulerRunBefore(db, HOLDER, now())) throw new Error('a season was due');
			}
		},
		{
			name: 'scheduler run, store (awaited)',
			ops: N,
			run: async () => {
				for (let i = 0; i < N; i++)
					if ((await runScheduler(store, { holder: HOLDER })).length > 0)
						throw new Error('a season was due');
			}
		}
	],
	ROUNDS
);
contest.remove();
