// What a leaderboard push costs in its contest format views on SQLite (#20: the sprints',
// knockouts' and challenges' views one generator for the push and the store), against an older
// checkout (`--old <worktree>`: `git worktree add --detach /work/wt-old <commit>`, its
// node_modules linked, `npm run -s i18n` in it). One file seeded by bench/lib/seed-sales.ts
// (1,000 people) with a live week-long sprint that many have crossed (target half the week's
// best), an 8-entrant knockout two rounds in, and 30 live duels over the week. Each variant
// builds every format view as the publisher does with each push (`formatViewsOf`, synchronous);
// the two answers are compared first. Interleaved, rounds × iterations; prints the median µs
// and CPU µs per push's views.
// Run with `npx tsx bench/format-push.ts --old <worktree> [--sales 50000] [--rounds 7] [--n 3]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eq } from 'drizzle-orm';
import { openDatabase, type Db } from '../src/lib/server/db';
import { challenge, seasonMember } from '../src/lib/server/db/schema';
import { sqliteStore } from '../src/lib/server/db/store';
import { formatViewsOf } from '../src/lib/server/formats/views';
import { periodTotals } from '../src/lib/server/formats/measure';
import { createSprint } from '../src/lib/server/sprints/commands';
import { createKnockout } from '../src/lib/server/knockouts/commands';
import { advanceKnockouts } from '../src/lib/server/knockouts/advance';
import { option } from './lib/args';
import { timeInterleaved } from './lib/interleaved';
import { NOW, seedSales } from './lib/seed-sales';
import { liveDuelRows } from './lib/duels';

const ROUNDS = option('rounds', 7);
const N = option('n', 3);
const SALES = option('sales', 50_000);
const at = process.argv.indexOf('--old');
if (at === -1) throw new Error('--old <worktree> names the checkout to compare with');
const OLD = resolve(process.argv[at + 1]);
const DAY = 86_400_000;

const dir = mkdtempSync(join(tmpdir(), 'honorboard-format-push-bench-'));
const file = join(dir, 'bench.db');
const { seasonId } = await seedSales(file, SALES);
const db = openDatabase(file);
const store = sqliteStore(db);
const week = { from: NOW - 7 * DAY, to: NOW + DAY };

const totals = periodTotals(db, {
	seasonId,
	subject: 'user',
	measure: { kind: 'points' },
	from: week.from,
	to: NOW
});
const best = Math.max(...[...totals.values()].map((t) => t.confirmed));
await createSprint(
	store,
	seasonId,
	{
		name: 'Bench week',
		subject: 'user',
		measure: 'points',
		target: Math.max(1, Math.round(best / 2)),
		startsAt: week.from,
		endsAt: week.to,
		prize: null,
		requestId: 'bench-sprint'
	},
	{ userId: null },
	() => week.from - DAY
);
const cupStart = NOW - 2 * DAY + 3_600_000;
await createKnockout(
	store,
	seasonId,
	{
		name: 'Cup',
		subject: 'user',
		measure: 'points',
		size: 8,
		roundLength: 1,
		roundUnit: 'day',
		graceHours: 2,
		startsAt: cupStart,
		prize: null,
		requestId: 'bench-cup'
	},
	{ userId: null },
	() => cupStart - DAY
);
await advanceKnockouts(store, () => cupStart);
const people = db
	.select({ id: seasonMember.userId })
	.from(seasonMember)
	.where(eq(seasonMember.seasonId, seasonId))
	.all();
db.insert(challenge)
	.values(liveDuelRows(seasonId, people, week))
	.run();

// The code before, on a second connection to the same file.
const load = async <T>(path: string) => (await import(join(OLD, 'src/lib/server', path))) as T;
const oldDb = (await load<{ openDatabase: typeof openDatabase }>('db/index.ts')).openDatabase(
	file
) as Db;
const old = await load<{ formatViewsOf: typeof formatViewsOf }>('formats/views.ts');

const before = old.formatViewsOf(oldDb, seasonId, NOW);
const now = formatViewsOf(db, seasonId, NOW);
if (JSON.stringify(before) !== JSON.stringify(now)) throw new Error('not the same views');
for (const name of ['sprints', 'knockouts', 'challenges'])
	if (!now[name]) throw new Error(`no ${name} view`);

const repeat = (run: () => unknown) => () => {
	for (let i = 0; i < N; i++) run();
};
console.log(
	`${SALES.toLocaleString('en')} sales; ${ROUNDS - 1} counted rounds, ${N} pushes' views per round`
);
await timeInterleaved(
	[
		{
			name: 'format views of a push, before',
			ops: N,
			run: repeat(() => old.formatViewsOf(oldDb, seasonId, NOW))
		},
		{
			name: 'format views of a push, now',
			ops: N,
			run: repeat(() => formatViewsOf(db, seasonId, NOW))
		}
	],
	ROUNDS
);
oldDb.$client.close();
db.$client.close();
rmSync(dir, { recursive: true, force: true });
