// What writing the badges' facts and a sale's decision as generators (#20 step 2,
// badges/steps.ts: `runSync` on SQLite) costs SQLite's badge step against the plain synchronous
// code before (`--old <worktree>`, a checkout before it, e.g. a98d570b). One file of 500 people
// and the badges a sale can earn (first sale, counts, a category, cross-sells, points, revenue,
// a record, a streak, a team target), 4,000 sales recorded without their badge step; then each
// variant takes them in as the sales' step does, ENTRIES_PER_CALL (50) ledger entries per call
// of `decideAwardsInTx`, on its own copy of the file, inside a transaction rolled back after
// the round. Variants interleaved; prints the median µs and CPU µs per sale taken in.
// Run with `npx tsx bench/badge-facts-steps.ts --old <worktree> [--rounds 9] [--sales 4000]`.
//
// --in-write (hb-salestep): the sales' badge step on SQLite as the group commit and an import's
// window run it, inside their write, with the entries they hold: SQLite's synchronous twin
// (`decideGroupAwardsInTx`, and `decideAwardsInTx` for a window, from the checkout `--old`
// names, one from before the switch, e.g. e92faa3c) against the store's body
// (`decideGroupAwardsInWrite`, this tree's). The facts are caught up first; each group (`--group`,
// 32) or window (`--window`, 250) is recorded by the store's sale path in a write, its step
// timed alone, and the write rolled back, so every round and variant meets the same season.
// `--demo` takes the demo's badges instead of the list above. What the study used:
//   npx tsx bench/badge-facts-steps.ts --in-write --demo --sales 20000 --old /work/wt-old-salestep
import { copyFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import type { Db } from '../src/lib/server/db';
import type { RecordSaleInput } from '../src/lib/server/scoring/sales';
import { flag, option } from './lib/args';
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
// The demo's sale badges (db/seed-demo.ts; its weekly ones are decided by the week, not a sale).
const DEMO = [
	{ kind: 'first_sale' },
	{ kind: 'sales_count', count: 3 },
	{ kind: 'streak', days: 3 },
	{ kind: 'cross_sells', count: 5 },
	{ kind: 'points_at_least', points: 500 },
	{ kind: 'record_sale' },
	{ kind: 'top_k_week', k: 3 },
	{ kind: 'most_improved_week' },
	{ kind: 'team_target', target: 3000 }
] as const;
const OWN = [
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
const criteria = flag('demo') ? DEMO : OWN;
contest.db
	.insert(badge)
	.values(
		criteria.map((criterion, i) => ({
			seasonId,
			name: `Badge ${i}`,
			emoji: '🏅',
			description: '',
			// The demo's: only the record sale's badge has points.
			points: criteria === DEMO ? (criterion.kind === 'record_sale' ? 10 : 0) : 5,
			criterion
		}))
	)
	.run();
for (let n = 0; n < SALES; n += 32)
	await Promise.all(
		Array.from({ length: Math.min(32, SALES - n) }, (_, i) => {
			const k = n + i;
			return recordSaleGrouped(contest.store, saleInput(k, NOW - ((k * 104_729) % (20 * DAY))));
		})
	);
contest.db.$client.pragma('wal_checkpoint(TRUNCATE)');

/** The k-th sale: every fourth a phone and a case (cross-sells, now and then a record). */
function saleInput(k: number, occurredAt: number): RecordSaleInput {
	return {
		source: 'api',
		externalId: `bench-${k}`,
		seller: { email: `p${(k * 7919) % PEOPLE}@x` },
		occurredAt,
		lines:
			k % 4 === 0
				? [
						{ sku: 'PHONE', quantity: 1, unitPrice: 50_000 + (k % 97) },
						{ sku: 'CASE', quantity: 1, unitPrice: 2000 }
					]
				: [{ sku: k % 3 === 0 ? 'PHONE' : 'CASE', quantity: 1 + (k % 2), unitPrice: 2000 }]
	};
}

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

if (flag('in-write')) {
	const { inWriteVariants } = await import('./lib/badge-step-in-write');
	const { variants, awardsPerSale } = await inWriteVariants(contest.store, {
		old: OLD,
		now: NOW,
		people: PEOPLE,
		group: option('group', 32),
		groups: option('groups', 16),
		window: option('window', 250),
		windows: option('windows', 2),
		sale: saleInput
	});
	console.log(`badge step in its write: ${ROUNDS} rounds, load ${loadavg()[0].toFixed(2)}`);
	await timeInterleaved(variants, ROUNDS);
	console.log(`${awardsPerSale()}; load ${loadavg()[0].toFixed(2)}`);
	contest.remove();
	process.exit(0);
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
