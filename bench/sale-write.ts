// What recording a sale costs on SQLite on the store (#20 step 1, scoring/group-commit.ts):
// groups of new API sales recorded by `recordSaleGrouped(store, …)` (one `write` per group),
// this checkout's against another checkout's (--against, required: a detached worktree of an
// earlier commit, its node_modules linked and `npm run -s i18n` run in it), on one file of 500
// members, a phone and a case, a first-sale bonus and a daily cap (so each seller's day is read
// and written). Every operation is a new sale of the next person; variants interleaved, rounds ×
// groups; prints the median µs and CPU µs per sale. Run with `npx tsx bench/sale-write.ts
// --against <checkout> [--rounds 7] [--groups 40] [--size 32]`; --badges adds the demo's sale
// badges (first sale, counts, a streak, cross-sells, points, a record sale), so that each group's
// badge step runs in its write as in bench:ingest's badges-on phase. (Until 2026-12-07 it timed
// the synchronous group commit it replaced without --against; that body is gone.)
import { badge, product, rule } from '../src/lib/server/db/schema';
import { recordSaleGrouped } from '../src/lib/server/scoring/group-commit';
import type { RecordSaleInput } from '../src/lib/server/scoring/sales';
import { flag, option, textOption } from './lib/args';
import { benchContest } from './lib/contest-file';
import { timeInterleaved, type Variant } from './lib/interleaved';

const ROUNDS = option('rounds', 7);
const GROUPS = option('groups', 40);
const SIZE = option('size', 32);
const PEOPLE = 500;
const against = textOption('against');
if (!against) throw new Error('bench/sale-write.ts needs --against <checkout> (see its head)');
const other: typeof recordSaleGrouped = (
	await import(`${against}/src/lib/server/scoring/group-commit`)
).recordSaleGrouped;

const contest = benchContest('sale-write', { people: PEOPLE });
const { db, store } = contest;
const seasonId = contest.seasons[0].id;
db.insert(product)
	.values([
		{ seasonId, sku: 'PHONE', name: 'Phone', category: 'Phones', points: 100, price: 50000 },
		{ seasonId, sku: 'CASE', name: 'Case', category: 'Cases', points: 10, price: 2000 }
	])
	.run();
db.insert(rule)
	.values([
		{
			seasonId,
			name: 'First sale',
			target: { kind: 'any' },
			effect: { kind: 'first_sale_bonus', points: 7 }
		},
		{
			seasonId,
			name: 'Phones double, 300 a day',
			target: { kind: 'category', category: 'Phones' },
			effect: { kind: 'multiplier', factor: 2 },
			dailyCap: 300
		}
	])
	.run();
if (flag('badges'))
	db.insert(badge)
		.values(
			[
				{ kind: 'first_sale' },
				{ kind: 'sales_count', count: 3 },
				{ kind: 'streak', days: 3 },
				{ kind: 'cross_sells', count: 5 },
				{ kind: 'points_at_least', points: 500 },
				{ kind: 'record_sale' }
			].map(
				(criterion) => ({ seasonId, name: criterion.kind, criterion }) as typeof badge.$inferInsert
			)
		)
		.run();

let serial = 0;
const group = (): RecordSaleInput[] =>
	Array.from({ length: SIZE }, () => {
		const n = serial++;
		return {
			source: 'api',
			externalId: `bench-${n}`,
			seller: { email: `p${n % PEOPLE}@x` },
			occurredAt: Date.now() - (n % 3_600) * 1_000,
			lines: [{ sku: n % 3 === 0 ? 'PHONE' : 'CASE', quantity: 1 + (n % 2), unitPrice: 2000 }]
		};
	});

const variants: Variant[] = [
	{
		name: `a group of sales, store of ${against}`,
		ops: GROUPS * SIZE,
		run: async () => {
			for (let g = 0; g < GROUPS; g++)
				await Promise.all(group().map((input) => other(store, input)));
		}
	},
	{
		name: 'a group of sales, store (awaited)',
		ops: GROUPS * SIZE,
		run: async () => {
			for (let g = 0; g < GROUPS; g++)
				await Promise.all(group().map((input) => recordSaleGrouped(store, input)));
		}
	}
];

console.log(`sale-write: ${ROUNDS} rounds × ${GROUPS} groups of ${SIZE} new sales`);
await timeInterleaved(variants, ROUNDS);
contest.remove();
