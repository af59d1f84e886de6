// What writing the badges' facts and a sale's decision as generators (#20 step 2,
// badges/steps.ts: `runSync` on SQLite) costs SQLite's badge step against the plain synchronous
// code before (`--old <worktree>`, a checkout before it, e.g. a98d570b). One file of 500 people
// and the badges a sale can earn (first sale, counts, a category, cross-sells, points, revenue,
// a record, a streak, a team target), 4,000 sales recorded without their badge step; then each
// variant takes them in as the sales' step does, ENTRIES_PER_CALL (50) ledger entries per call
// of `decideAwardsInTx`, on its own copy of the file, inside a transaction rolled back after
// the round. Variants interleaved; prints the median µs and CPU µs per sale taken in.
// Run with `npx tsx bench/badge-facts-steps.ts --old <worktree> [--rounds 9] [--sales 4000]`.
import { copyFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Db } from '../src/lib/server/db';
import { option } from './lib/args';
import { timeInterleaved, type Variant } from './lib/interleaved';

// Read when scoring/sales.ts loads: the sales are recorded without their badge step.
process.env.HONORBOARD_BENCH_SALE_BADGES = '0';
process.env.LOG_LEVEL ??= 'warn';

const ROUNDS = option('rounds', 9);
const SALES = option('sales', 4_000);
const PEOPLE = 500;
const NOW = Date.now();
const DAY = 86_400_000;
const at = process.argv.indexOf('--old');
const OLD = at === -1 ? null : resolve(process.argv[at + 1]);

const { benchContest } = await import('./lib/contest-file');
const { badge, product } = await import('../src/lib/server/db/schema');
const { recordSaleGrouped } = await import('../src/lib/server/scoring/group-commit');

const contest = benchContest('badge-facts-steps', { people: PEOPLE });
const seasonId = contest.seasons[0].id;
contest.db
	.insert(product)
	.values([
		{ seasonId, sku: 'PHONE', name: 'Phone', category: 'Phones', points: 100, price: 50000 },
		{ seasonId, sku: 'CASE', name: 'Case', category: 'Cases', points: 10, price: 2000 }
	])
	.run();
const criteria = [
	{ kind: 'first_sale' },
	{ kind: 'sales_count', count: 5 },
	{ kind: 'sales_count', count: 3, category: 'Phones' },
	{ kind: 'cross_sells', count: 2 },
	{ kind: 'points_at_least', points: 1_000 },
	{ kind: 'revenue_at_least', amount: 500_000 },
	{ kind: 'record_sale' },
	{ kind: 'streak', days: 3 },
	{ kind: 'team_target', target: 50_000 }
] as const;
contest.db
	.insert(badge)
	.values(
		criteria.map((criterion, i) => ({
			seasonId,
			name: `Badge ${i}`,
			emoji: '🏅',
			description: '',
			points: 5,
			criterion
		}))
	)
	.run();
for (let n = 0; n < SALES; n += 32)
	await Promise.all(
		Array.from({ length: Math.min(32, SALES - n) }, (_, i) => {
			const k = n + i;
			return recordSaleGrouped(contest.store, {
				source: 'api',
				externalId: `bench-${k}`,
				seller: { email: `p${(k * 7919) % PEOPLE}@x` },
				occurredAt: NOW - ((k * 104_729) % (20 * DAY)),
				lines:
					k % 4 === 0
						? [
								{ sku: 'PHONE', quantity: 1, unitPrice: 50_000 + (k % 97) },
								{ sku: 'CASE', quantity: 1, unitPrice: 2000 }
							]
						: [{ sku: k % 3 === 0 ? 'PHONE' : 'CASE', quantity: 1 + (k % 2), unitPrice: 2000 }]
			});
		})
	);
contest.db.$client.pragma('wal_checkpoint(TRUNCATE)');

type Decide = (tx: Db, now: number) => unknown;
type Open = (file: string) => Db;

/** A copy of the file for one tree's code, and its step: 50 entries a call until caught up. */
function variantOf(name: string, open: Open, decide: Decide): Variant {
	const file = join(contest.file, `../${name.replace(/\W/g, '-')}.db`);
	copyFileSync(contest.file, file);
	const db = open(file);
	return {
		name,
		ops: SALES,
		run: () => {
			db.$client.exec('BEGIN IMMEDIATE');
			try {
				for (let calls = 0; calls <= SALES / 50 + 1; calls++) decide(db, NOW);
			} finally {
				db.$client.exec('ROLLBACK');
			}
		}
	};
}

const variants: Variant[] = [];
const mine = await import('../src/lib/server/badges/awards');
const { openDatabase } = await import('../src/lib/server/db');
if (OLD) {
	const old = await import(join(OLD, 'src/lib/server/badges/awards.ts'));
	const oldDb = await import(join(OLD, 'src/lib/server/db/index.ts'));
	variants.push(
		variantOf('before (synchronous code)', oldDb.openDatabase, (tx, now) =>
			old.decideAwardsInTx(tx, now)
		)
	);
}
variants.push(
	variantOf('generators (runSync)', openDatabase, (tx, now) => mine.decideAwardsInTx(tx, now))
);
await timeInterleaved(variants, ROUNDS);
contest.remove();
