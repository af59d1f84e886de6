// The badge facts' catch-up and a review's reconciliation on SQLite: the store's one body for
// both dialects (badges/catch-up.ts `catchUpOnStore`, one write per slice; scoring/review.ts
// withdrawing in the review's write) against an older checkout's synchronous code (`--old
// <worktree>`: `catchUpInSlices`, `reconcileAwards` after the commit), each on its own
// connection, timed in turn (bench/lib/interleaved.ts). No other traffic: the slices run at full
// speed (their pauses are the same code in both and cost no CPU).
//
// - catch-up: a backlog of `--backlog` sales recorded without the badge step (100 people, the
//   badges a sale decides, a third of them with points), taken in by the slices of 50 entries
//   from a fresh copy of the file each run; CPU and wall per ledger entry;
// - reverse: one sale reversed per call (`reviewSales`, a reason), the reconciliation and the
//   season's re-evaluation it starts awaited (`reevaluationsSettled`; one store body on both
//   since hb-reeval, before which SQLite ran its own synchronous slices).
//
// Run with `npx tsx bench/badge-catch-up.ts --old <worktree> [--rounds 5] [--backlog 5000]
// [--reversals 20]`; the old worktree needs node_modules linked and `npm run -s i18n` run.
import { copyFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { option } from './lib/args';
import { benchContest } from './lib/contest-file';
import { timeInterleaved, type Variant } from './lib/interleaved';
import type { BadgeCriterion } from '../src/lib/contest/badges';

process.env.LOG_LEVEL ??= 'warn';
const ROUNDS = option('rounds', 5);
const BACKLOG = option('backlog', 5_000);
const REVERSALS = option('reversals', 20);
const at = process.argv.indexOf('--old');
if (at === -1) throw new Error('--old <worktree> is required: the code to compare with');
const OLD = resolve(process.argv[at + 1]);
const NOW = Date.UTC(2026, 11, 4, 12);
const DAY = 86_400_000;
const clock = () => NOW;

const { openDatabase } = await import('../src/lib/server/db');
const { badge, product } = await import('../src/lib/server/db/schema');
const { sqliteStore } = await import('../src/lib/server/db/store');
const { recordOn } = await import('../tests/helpers/record-sale');
const { catchUpOnStore } = await import('../src/lib/server/badges/catch-up');
const { reviewSales } = await import('../src/lib/server/scoring/review');
const { reevaluationsSettled } = await import('../src/lib/server/badges/reevaluate');

type Loose = (...args: never[]) => unknown;
const old = {
	db: (await import(join(OLD, 'src/lib/server/db/index.ts'))) as { openDatabase: Loose },
	store: (await import(join(OLD, 'src/lib/server/db/store.ts'))) as { sqliteStore: Loose },
	awards: (await import(join(OLD, 'src/lib/server/badges/awards.ts'))) as {
		catchUpInSlices: Loose;
	},
	review: (await import(join(OLD, 'src/lib/server/scoring/review.ts'))) as { reviewSales: Loose },
	reevaluate: (await import(join(OLD, 'src/lib/server/badges/reevaluate.ts'))) as {
		reevaluationsSettled: Loose;
	}
} as unknown as {
	db: { openDatabase: (file: string) => unknown };
	store: { sqliteStore: (db: unknown) => unknown };
	awards: { catchUpInSlices: (db: unknown, clock: () => number, n: number) => Promise<unknown> };
	review: { reviewSales: (store: unknown, ids: number[], input: object) => Promise<unknown> };
	reevaluate: { reevaluationsSettled: (db: unknown) => Promise<void>; reevaluateSeason?: unknown };
};

const BADGES: { criterion: BadgeCriterion; points: number }[] = [
	{ criterion: { kind: 'first_sale' }, points: 0 },
	{ criterion: { kind: 'sales_count', count: 20 }, points: 5 },
	{ criterion: { kind: 'sales_count', count: 3, category: 'Accessories' }, points: 0 },
	{ criterion: { kind: 'points_at_least', points: 1_500 }, points: 20 },
	{ criterion: { kind: 'streak', days: 3 }, points: 9 },
	{ criterion: { kind: 'cross_sells', count: 4 }, points: 7 },
	{ criterion: { kind: 'record_sale' }, points: 10 },
	{ criterion: { kind: 'team_target', target: 40_000 }, points: 0 }
];

/** A contest with the badges above and `sales` sales, their badge step on or off. */
async function contestWith(name: string, sales: number, awards: boolean) {
	const contest = benchContest(name, { people: 100 });
	const { db } = contest;
	const seasonId = contest.seasons[0].id;
	db.insert(product)
		.values([
			{ seasonId, sku: 'PHONE', name: 'Phone', category: 'Phones', points: 100, price: 50000 },
			{ seasonId, sku: 'CASE', name: 'Case', category: 'Accessories', points: 10, price: 2000 }
		])
		.run();
	db.insert(badge)
		.values(
			BADGES.map((b, i) => ({
				...b,
				seasonId,
				name: `Badge ${i}`,
				emoji: '🏅',
				description: '',
				active: true
			}))
		)
		.run();
	const ids: number[] = [];
	for (let i = 0; i < sales; i++) {
		const lines = [{ sku: 'PHONE', quantity: 1 + (i % 3) }];
		if (i % 3 === 0) lines.push({ sku: 'CASE', quantity: 1 });
		const recorded = await recordOn(
			db,
			{
				source: 'api',
				externalId: `${name}-${i}`,
				seller: { email: `p${(i * 7) % 100}@x` },
				occurredAt: NOW - 10 * DAY + Math.floor((i * 10 * DAY) / sales),
				lines
			},
			clock,
			{ awards }
		);
		ids.push(recorded.sale.id);
	}
	db.$client.pragma('wal_checkpoint(TRUNCATE)');
	return { contest, ids };
}

// The catch-up: each run on a fresh copy of the backlog, opened before the run is timed.
const behind = await contestWith('catch-up', BACKLOG, false);
const copies = (prefix: string, open: (file: string) => unknown) =>
	Array.from({ length: ROUNDS }, (_, i) => {
		const file = `${behind.contest.file}.${prefix}${i}`;
		copyFileSync(behind.contest.file, file);
		return open(file);
	});
const oldCopies = copies('old', (file) => old.db.openDatabase(file));
const newCopies = copies('new', (file) => openDatabase(file));

// The reversals: sales recorded with their badges, each variant reversing its own.
const reviewed = await contestWith('reverse', 2 * ROUNDS * REVERSALS + 100, true);
const store = reviewed.contest.store;
const oldDb = old.db.openDatabase(reviewed.contest.file);
const oldStore = old.store.sqliteStore(oldDb);
const toReverse = [...reviewed.ids];
const reverse = { decision: 'reverse', actor: { userId: reviewed.contest.managerId }, reason: 'x' };

const variants: Variant[] = [
	{
		name: 'catch-up, before (synchronous slices)',
		ops: BACKLOG,
		run: () => old.awards.catchUpInSlices(oldCopies.pop(), clock, 50)
	},
	{
		name: 'catch-up, store (a write per slice)',
		ops: BACKLOG,
		run: () => catchUpOnStore(sqliteStore(newCopies.pop() as never), clock, 50)
	},
	{
		name: 'reverse, before (reconciled after the commit)',
		ops: REVERSALS,
		run: async () => {
			for (let i = 0; i < REVERSALS; i++) {
				await old.review.reviewSales(oldStore, [toReverse.pop()!], reverse);
				// A checkout before hb-reeval queued its re-evaluations by connection, since by store.
				const key = old.reevaluate.reevaluateSeason ? oldDb : oldStore;
				await old.reevaluate.reevaluationsSettled(key);
			}
		}
	},
	{
		name: 'reverse, store (reconciled in the write)',
		ops: REVERSALS,
		run: async () => {
			for (let i = 0; i < REVERSALS; i++) {
				await reviewSales(store, [toReverse.pop()!], reverse as never);
				await reevaluationsSettled(store);
			}
		}
	}
];

console.log(
	`load ${loadavg()
		.map((l) => l.toFixed(2))
		.join(
			' '
		)}; ${ROUNDS - 1} counted rounds; catch-up of ${BACKLOG} entries, ${REVERSALS} reversals per round`
);
await timeInterleaved(variants, ROUNDS);
console.log(
	`load ${loadavg()
		.map((l) => l.toFixed(2))
		.join(' ')}`
);
behind.contest.remove();
reviewed.contest.remove();
