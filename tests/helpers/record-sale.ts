// Sales recorded as the server records them, for tests that set up sales without a running
// server: the group commit's write on the store (recordSaleGrouped: the sale, its batch and its
// badge step in one write, then the pushes), or, without the badge step, the sale and its batch
// alone. Replaces the synchronous recordSale the tests used before it went; badgeStepOn is the
// badge step of sales recorded without it (the synchronous evaluateAwards's place).
import type { Db } from '../../src/lib/server/db';
import { sqliteStore, write, type Store } from '../../src/lib/server/db/store';
import { recordSaleGrouped } from '../../src/lib/server/scoring/group-commit';
import {
	recordSaleInWrite,
	type RecordSaleInput,
	type RecordedSale
} from '../../src/lib/server/scoring/sales';
import { SaleLookups } from '../../src/lib/server/scoring/sale-lookups';
import { WriteBatch } from '../../src/lib/server/scoring/write-batch';
import { markStandingsMoved } from '../../src/lib/server/scoring/standings';
import { notifyLeaderboard, publishActivity } from '../../src/lib/server/realtime/publish';
import { countSalesRecorded } from '../../src/lib/server/shared/metrics';
import { systemClock, type Clock } from '../../src/lib/server/shared/clock';
import type { BadgeEvent } from '../../src/lib/realtime/events';
import {
	decideAwardsInWrite,
	publishDecidedOnStore
} from '../../src/lib/server/badges/decide-in-write';
import { stepLimit } from '../../src/lib/server/badges/catch-up';

/** The store of a test's SQLite connection, or the store itself. */
export function storeOf(target: Db | Store): Store {
	return 'sqlite' in target || 'pool' in target ? target : sqliteStore(target);
}

/**
 * Records `input` at `clock()` and resolves with its answer; a refusal rejects with its
 * AppError (IdempotencyConflictError for an id sent again with another sale). `awards: false`
 * leaves the badge step out (the facts then have a backlog the catch-up takes in).
 */
export async function recordOn(
	target: Db | Store,
	input: RecordSaleInput,
	clock: Clock = systemClock,
	options: { awards?: boolean } = {}
): Promise<RecordedSale> {
	const store = storeOf(target);
	if (options.awards !== false) return recordSaleGrouped(store, input, clock);
	const { recorded, writes } = await write(store, async (tx) => {
		const now = clock();
		const lookups = new SaleLookups();
		const writes = new WriteBatch();
		const recorded = await recordSaleInWrite(tx, store, input, now, lookups, writes);
		await writes.finishInWrite(tx, store, now);
		return { recorded, writes };
	});
	markStandingsMoved(writes.moved);
	const { activity, ...answer } = recorded;
	if (activity) {
		answer.version = writes.versionOf(answer.seasonId);
		publishActivity(activity);
		countSalesRecorded(1);
		notifyLeaderboard(answer.seasonId);
	}
	return answer;
}

/**
 * The badge step of `sales` sales recorded with `awards: false`, in a write of its own: the facts
 * take in the ledger's new entries (as many more as a sale's step takes, stepLimit) and the sales
 * they took in decide their awards, published once it has committed. Resolves with the awards
 * given in `seasonId`.
 */
export async function badgeStepOn(
	target: Db | Store,
	seasonId: number,
	sales = 1,
	clock: Clock = systemClock
): Promise<BadgeEvent[]> {
	const store = storeOf(target);
	const limit = stepLimit(store, sales);
	const decided = await write(store, (tx) => decideAwardsInWrite(tx, store, clock(), limit));
	publishDecidedOnStore(store, decided, clock);
	return decided.changes.get(seasonId)?.awarded ?? [];
}
