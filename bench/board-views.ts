// What the board's and the TV's first render reads of the contest formats and the campaigns on
// SQLite, since those pages read them through the store (#20, docs/postgres.md "Running on
// PostgreSQL"), against the code before (`--old <worktree>`, a checkout of 81ebf889:
// `git worktree add --detach /work/wt-old 81ebf889`, its node_modules linked, `npm run -s
// i18n` in it). One season of 1,000 people in three divisions, half with a target, following a
// season with final results, one campaign. Timed, interleaved, rounds × iterations (median µs
// and CPU µs per operation):
// - every format view, synchronously (`formatViewsOf`: what a push and the read thread build;
//   quotas' and divisions' views are now generators run with `.all()`), before and now;
// - every format view through the store (`readFormatViews`: a page's fallback when neither the
//   last push nor the read thread has them; on PostgreSQL always);
// - the board's top (before: `getBoardTop`, synchronous; now the store's `readBoardTop`, which
//   the pushes read since 2026-12-07);
// - the campaigns (before: the rules, the catalogue and the activity types read each time; now
//   `readCampaigns`).
// Run with `npx tsx bench/board-views.ts --old <worktree> [--rounds 7] [--n 200]`.
import { join, resolve } from 'node:path';
import { eq } from 'drizzle-orm';
import { openDatabase, type Db } from '../src/lib/server/db';
import { formatViewsOf, readFormatViews } from '../src/lib/server/formats/views';
import { readBoardTop } from '../src/lib/server/boards/leaderboard';
import { readCampaigns } from '../src/lib/server/rules/campaigns';
import { activityTypeNames } from '../src/lib/server/activities/types';
import { describeRule } from '../src/lib/contest/rules';
import { placeAutomatically, saveDivision } from '../src/lib/server/divisions/commands';
import { importQuotas } from '../src/lib/server/quotas/commands';
import { createRule } from '../src/lib/server/rules/commands';
import { createProduct } from '../src/lib/server/catalogue/products';
import { option } from './lib/args';
import { benchContest } from './lib/contest-file';
import { timeInterleaved, type Variant } from './lib/interleaved';

const ROUNDS = option('rounds', 7);
const N = option('n', 200);
const PEOPLE = 1_000;
const at = process.argv.indexOf('--old');
if (at === -1) throw new Error('--old <worktree> names the checkout to compare with');
const OLD = resolve(process.argv[at + 1]);
const NOW = 5e12;

const contest = benchContest('board-views', { people: PEOPLE });
const { db, store, managerId } = contest;
const seasonId = contest.seasons[0].id;
const actor = { userId: managerId };
const { season, seasonResult, standing } = store.tables;

// Points, a last season's results for every other person, targets for every other one.
await store.db.insert(standing).values(
	contest.people.map((p, i) => ({
		seasonId,
		subjectType: 'user' as const,
		subjectId: p.id,
		confirmedPoints: (i * 37) % 900,
		reachedAt: i,
		updatedAt: 0
	}))
);
const theme = { primary: '#2563eb', accent: '#f59e0b', emoji: '🏆', tagline: '' };
const [last] = await store.db
	.insert(season)
	.values({ name: 'Last', theme, startsAt: -2, endsAt: -1, status: 'archived' })
	.returning({ id: season.id });
await store.db.insert(seasonResult).values(
	contest.people
		.filter((_, i) => i % 2 === 0)
		.map((p, i) => ({
			seasonId: last.id,
			subjectType: 'user' as const,
			subjectId: p.id,
			name: `P${i}`,
			rank: i + 1,
			points: 100 + ((i * 13) % 500),
			provisionalPoints: 0,
			salesCount: 1,
			frozenAt: -1
		}))
);
await store.db.update(season).set({ previousSeasonId: last.id }).where(eq(season.id, seasonId));
await importQuotas(
	store,
	seasonId,
	contest.people
		.filter((_, i) => i % 2 === 1)
		.map((p, i) => ({
			subjectType: 'user' as const,
			subjectId: p.id,
			targetPoints: 200 + (i % 300)
		})),
	actor,
	1
);
for (const name of ['Gold', 'Silver', 'Bronze'])
	await saveDivision(
		store,
		{ id: null, seasonId, name, promote: 2, relegate: 2, prizes: [] },
		actor,
		1
	);
await placeAutomatically(store, seasonId, 'last_place', actor, 1);
await createProduct(
	store,
	seasonId,
	{ sku: 'PHONE', name: 'Phone', category: 'Phones', points: 10, price: 500, active: true },
	actor
);
await createRule(
	store,
	seasonId,
	{
		name: 'Phones ×2',
		active: true,
		highlight: true,
		startsAt: null,
		endsAt: null,
		target: { kind: 'sku', sku: 'PHONE' },
		effect: { kind: 'multiplier', factor: 2 },
		dailyCap: null
	},
	actor
);

// The code before, on a second connection to the same file.
const load = async <T>(path: string) => (await import(join(OLD, 'src/lib/server', path))) as T;
const oldDb = (await load<{ openDatabase: typeof openDatabase }>('db/index.ts')).openDatabase(
	contest.file
) as Db;
const oldViews = await load<{ formatViewsOf: typeof formatViewsOf }>('formats/views.ts');
const oldBoard = await load<{
	getBoardTop(db: Db, seasonId: number): Awaited<ReturnType<typeof readBoardTop>>;
}>('boards/leaderboard.ts');
const oldRules = await load<{
	activeCampaigns(db: Db, seasonId: number, now: number): Parameters<typeof describeRule>[0][];
	toEngineRule(row: unknown): Parameters<typeof describeRule>[0];
}>('rules/engine.ts');
const oldQueries = await load<{
	listProducts(db: Db, seasonId: number): { sku: string; name: string; points: number }[];
	catalogueOf(products: unknown): NonNullable<Parameters<typeof describeRule>[2]>['catalogue'];
}>('seasons/queries.ts');

/** The board's campaigns as its load built them before. */
async function campaignsBefore() {
	const catalogue = oldQueries.catalogueOf(oldQueries.listProducts(oldDb, seasonId));
	const activityTypes = await activityTypeNames(store, seasonId);
	return oldRules.activeCampaigns(oldDb, seasonId, NOW).map((rule) => ({
		text: describeRule(oldRules.toEngineRule(rule), 'UTC', {
			catalogue,
			activityTypes,
			currency: 'EUR'
		})
	}));
}

const same = (a: unknown, b: unknown, what: string) => {
	if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`${what}: not the same answer`);
};
same(oldViews.formatViewsOf(oldDb, seasonId, NOW), formatViewsOf(db, seasonId, NOW), 'views');
same(formatViewsOf(db, seasonId, NOW), await readFormatViews(store, seasonId, NOW), 'store views');
same(oldBoard.getBoardTop(oldDb, seasonId), await readBoardTop(store, seasonId), 'board top');
same(
	(await campaignsBefore()).map((c) => c.text),
	(await readCampaigns(store, { id: seasonId, timeZone: 'UTC' }, NOW)).map((c) => c.text),
	'campaigns'
);

const repeat =
	(run: () => unknown, n = N) =>
	async () => {
		for (let i = 0; i < n; i++) await run();
	};
const variants: Variant[] = [
	{
		name: 'format views, before (synchronous)',
		ops: N,
		run: repeat(() => oldViews.formatViewsOf(oldDb, seasonId, NOW))
	},
	{
		name: 'format views, now (synchronous)',
		ops: N,
		run: repeat(() => formatViewsOf(db, seasonId, NOW))
	},
	{
		name: 'format views, now (store, awaited)',
		ops: N,
		run: repeat(() => readFormatViews(store, seasonId, NOW))
	},
	{
		name: 'board top, before (synchronous)',
		ops: N * 10,
		run: repeat(() => oldBoard.getBoardTop(oldDb, seasonId), N * 10)
	},
	{
		name: 'board top, now (store, awaited)',
		ops: N * 10,
		run: repeat(() => readBoardTop(store, seasonId), N * 10)
	},
	{ name: 'campaigns, before', ops: N * 10, run: repeat(campaignsBefore, N * 10) },
	{
		name: 'campaigns, now (store)',
		ops: N * 10,
		run: repeat(() => readCampaigns(store, { id: seasonId, timeZone: 'UTC' }, NOW), N * 10)
	}
];

console.log(`${ROUNDS - 1} counted rounds; ${PEOPLE} people, 3 divisions, ${N} views per round`);
await timeInterleaved(variants, ROUNDS);
oldDb.$client.close();
contest.remove();
