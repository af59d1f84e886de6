// What logging an activity costs on SQLite (#20: activities/record.ts on the store; it runs
// per request: POST /api/v1/activities, /sell's Activity tab): the awaited
// `logActivity(store, …)` (one `write` with the activity, its ledger entry, the standings, the
// version and the "activities logged" badges), on one file of 500 members with two activity
// types, an activity rule (so the person's day is read) and an "activities logged" badge out of
// reach (so the badges are asked and none is given): every operation is a new activity (a new
// externalId) of the next person. Variants interleaved, rounds × iterations; prints the median
// µs and CPU µs per activity.
// With `--old <worktree>` (a checkout before a change, `git worktree add --detach …`), a second
// variant: that checkout's `logActivity` on its own store of the same file (2026-12-06: the
// counted badges moved from SQLite's connection into the write, badges/counted.ts). The
// synchronous body the port replaced went on 2026-12-07 (bench/lib/before-port.ts).
// Run with `npx tsx bench/log-activity.ts [--old <worktree>] [--rounds 7] [--n 1000]`.
import { join, resolve } from 'node:path';
import { activity, activityType, badge, rule } from '../src/lib/server/db/schema';
import type { sqliteStore } from '../src/lib/server/db/store';
import { logActivity, type LogActivityInput } from '../src/lib/server/activities/record';
import { option } from './lib/args';
import { benchContest } from './lib/contest-file';
import { timeInterleaved, type Variant } from './lib/interleaved';

const ROUNDS = option('rounds', 7);
const N = option('n', 1_000);
const at = process.argv.indexOf('--old');
const OLD = at === -1 ? null : resolve(process.argv[at + 1]);
const PEOPLE = 500;

const contest = benchContest('log-activity', { people: PEOPLE });
const { db, store } = contest;
const seasonId = contest.seasons[0].id;
const people = contest.people.map((p) => p.id);
db.insert(activityType)
	.values(
		[
			{ key: 'call', name: 'Call', points: 2, emoji: '📞' },
			{ key: 'demo', name: 'Demo', points: 15, emoji: '🎯' }
		].map((t) => ({ seasonId, ...t, active: true, createdAt: 0, updatedAt: 0 }))
	)
	.run();
db.insert(rule)
	.values({
		seasonId,
		name: 'Demo week',
		target: { kind: 'activity', type: 'demo' },
		effect: { kind: 'multiplier', factor: 2 }
	})
	.run();
db.insert(badge)
	.values({
		seasonId,
		name: 'Marathon',
		criterion: { kind: 'activities_logged', count: 1_000_000 }
	})
	.run();

let serial = 0;
const input = (): LogActivityInput => {
	const n = serial++;
	return {
		source: 'api',
		externalId: `bench-${n}`,
		person: { userId: people[n % PEOPLE] },
		type: n % 4 === 0 ? 'demo' : 'call',
		quantity: 1 + (n % 3),
		// In the last hour, within the season (it started at 0 and ends far ahead).
		occurredAt: Date.now() - (n % 3_600) * 1_000
	};
};

const variants: Variant[] = [
	{
		name: 'log an activity, store (awaited)',
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++) await logActivity(store, input());
		}
	}
];
if (OLD) {
	const load = async <T>(path: string) => (await import(join(OLD, 'src/lib/server', path))) as T;
	const older = {
		store: (await load<{ sqliteStore: typeof sqliteStore }>('db/store.ts')).sqliteStore(db),
		log: (await load<{ logActivity: typeof logActivity }>('activities/record.ts')).logActivity
	};
	variants.push({
		name: 'log an activity, older store (--old)',
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++) await older.log(older.store, input());
		}
	});
}

console.log(`${ROUNDS - 1} counted rounds; ${N} new activities per round`);
await timeInterleaved(variants, ROUNDS);
const logged = db.select({ id: activity.id }).from(activity).all().length;
const expected = variants.length * ROUNDS * N;
if (logged !== expected) throw new Error(`expected ${expected} activities, ${logged}`);
contest.remove();
