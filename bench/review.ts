// What reviewing costs on SQLite (#20: scoring/review.ts and review-queue.ts ported onto the
// store). Two operations, each the ported, awaited one against the synchronous one of an older
// checkout (`--old <worktree>`, e.g. `git worktree add /work/wt-old aa6e1cb`, with its
// node_modules and src/lib/paraglide linked to this checkout's), on its own connection to the
// same file: reading the manager's queue (`reviewQueue`, 200 of 1,000 pending sales, the counts,
// the referrals; every load of /manage/review) and confirming one pending sale (`reviewSales`,
// one decision per call, sales taken in turn). Variants interleaved, rounds × iterations;
// prints the median µs per operation and the CPU µs per operation.
// Run with `npx tsx bench/review.ts [--old <worktree>] [--rounds 7] [--n 200]`.
import { join, resolve } from 'node:path';
import { write } from '../src/lib/server/db/store';
import { appendEntryInWrite } from '../src/lib/server/scoring/ledger';
import { reviewSales } from '../src/lib/server/scoring/review';
import { reviewQueue } from '../src/lib/server/scoring/review-queue';
import { option } from './lib/args';
import { benchContest } from './lib/contest-file';
import { timeInterleaved, type Variant } from './lib/interleaved';

const ROUNDS = option('rounds', 7);
const N = option('n', 200);
const at = process.argv.indexOf('--old');
const OLD = at === -1 ? null : resolve(process.argv[at + 1]);
const NOW = Date.now();

const contest = benchContest('review', { people: 100, season: { requireConfirmation: true } });
const { file, store, managerId } = contest;
const { id: seasonId, teamId } = contest.seasons[0];
const people = contest.people.map((p) => p.id);

/** A pending sale with its provisional entry, as the sales path leaves it. */
function pendingSale(n: number): Promise<number> {
	return write(store, async (tx) => {
		const sellerId = people[n % people.length];
		const [{ id }] = await tx
			.insert(store.tables.sale)
			.values({
				seasonId,
				source: 'api',
				externalId: `b${n}`,
				sellerId,
				teamId,
				occurredAt: NOW - 1000 * n,
				amount: 1000,
				status: 'pending',
				points: 10,
				customerRef: `C-${n}`
			})
			.returning({ id: store.tables.sale.id });
		await appendEntryInWrite(
			tx,
			store,
			{
				seasonId,
				userId: sellerId,
				teamId,
				saleId: id,
				kind: 'sale',
				points: 10,
				status: 'provisional'
			},
			NOW,
			[],
			1
		);
		return id;
	});
}
// The queue: 1,000 pending sales. The confirmations take their own, all made beforehand (the
// queue shows the 200 oldest: these are newer).
for (let n = 0; n < 1000; n++) await pendingSale(n);
let serial = 1000;
const batch = async () => {
	const ids: number[] = [];
	for (let i = 0; i < N; i++) ids.push(await pendingSale(serial++));
	return ids;
};
const rounds = async (count: number) => {
	const all: number[][] = [];
	for (let i = 0; i < count; i++) all.push(await batch());
	return all;
};
const actor = { userId: managerId };

type OldReview = (db: unknown, ids: number[], input: unknown) => unknown;
type OldQueue = (db: unknown, seasonId: number, filters: object, now: number) => unknown;
const variants: Variant[] = [];
let confirmNew: number[][] = [];
let confirmOld: number[][] = [];
if (OLD) {
	// The older checkout's own modules, on its own connection to the same file.
	const oldReview = (await import(join(OLD, 'src/lib/server/scoring/review.ts'))) as {
		reviewSales: OldReview;
	};
	const oldQueue = (await import(join(OLD, 'src/lib/server/scoring/review-queue.ts'))) as {
		reviewQueue: OldQueue;
	};
	const oldDb = (
		(await import(join(OLD, 'src/lib/server/db/index.ts'))) as {
			openDatabase: (file: string) => unknown;
		}
	).openDatabase(file);
	variants.push(
		{
			name: 'queue, before (synchronous)',
			ops: N,
			run: () => {
				for (let i = 0; i < N; i++) oldQueue.reviewQueue(oldDb, seasonId, {}, NOW);
			}
		},
		{
			name: 'confirm, before (synchronous)',
			ops: N,
			run: () => {
				for (const id of confirmOld.pop()!)
					oldReview.reviewSales(oldDb, [id], { decision: 'confirm', actor });
			}
		}
	);
	confirmOld = await rounds(ROUNDS);
}
variants.push(
	{
		name: 'queue, store (awaited)',
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++) await reviewQueue(store, seasonId, {}, NOW);
		}
	},
	{
		name: 'confirm, store (awaited)',
		ops: N,
		run: async () => {
			for (const id of confirmNew.pop()!)
				await reviewSales(store, [id], { decision: 'confirm', actor });
		}
	}
);
confirmNew = await rounds(ROUNDS);

console.log(`${ROUNDS - 1} counted rounds; ${N} operations per round`);
await timeInterleaved(variants, ROUNDS);
contest.remove();
