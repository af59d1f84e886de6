// The group commit as it was before recording a sale moved onto the store (base 81ebf889,
// scoring/group-commit.ts, copied unchanged but for its imports): one synchronous transaction
// per group through the synchronous body, for bench/sale-write.ts to time against the store's.
// Its badge step is the synchronous twin the app ran until hb-salestep (decideGroupAwardsInTx,
// copied below: the app's sales and imports run the store's body on SQLite since).
import type { Db } from '../../src/lib/server/db';
import { retryWhenBusy } from '../../src/lib/server/db/busy';
import { savepoint } from '../../src/lib/server/db/prepared';
import {
	recordSaleInTx,
	saleBadges,
	type RecordedSale,
	type RecordSaleInput
} from '../../src/lib/server/scoring/sales';
import { SaleLookups } from '../../src/lib/server/scoring/sale-lookups';
import { WriteBatch } from '../../src/lib/server/scoring/write-batch';
import { notifyLeaderboard, publishActivity } from '../../src/lib/server/realtime/publish';
import {
	applyNewSales,
	publishDecided,
	type DecidedAwards
} from '../../src/lib/server/badges/awards';
import { catchUpFacts } from '../../src/lib/server/badges/facts';
import { stepLimitOn } from '../../src/lib/server/badges/catch-up';
import type { HeldEntry } from '../../src/lib/server/scoring/sale-rows';
import type { Queryable } from '../../src/lib/server/db';
import { log } from '../../src/lib/server/shared/log';
import { AppError } from '../../src/lib/server/shared/errors';
import { systemClock, type Clock } from '../../src/lib/server/shared/clock';
import { countSalesRecorded } from '../../src/lib/server/shared/metrics';

// Group commit for the API: the sales that arrive while the event loop is busy are recorded
// together, in one transaction, on the next turn of the loop. Each sale has its own savepoint
// (a refused sale leaves the others alone), the group's standings, days and versions are
// written once (WriteBatch), and every request is answered only after the transaction that
// holds its sale has committed: nothing acknowledged can be lost. One COMMIT, holding the
// group's badge step too, then serves many sales instead of one each.

/** At most this many sales per transaction, so that one group never holds the loop long. */
const MAX_GROUP = 128;

interface Pending {
	input: RecordSaleInput;
	resolve: (recorded: RecordedSale) => void;
	reject: (error: unknown) => void;
}

const queues = new WeakMap<Db, { pending: Pending[]; scheduled: boolean }>();

/**
 * Records a sale with the others that arrive in the same turn of the event loop; resolves once
 * its transaction committed (rejects with the sale's AppError when it is refused).
 */
export function recordSaleGrouped(
	db: Db,
	input: RecordSaleInput,
	clock: Clock = systemClock
): Promise<RecordedSale> {
	let queue = queues.get(db);
	if (!queue) queues.set(db, (queue = { pending: [], scheduled: false }));
	const q = queue;
	return new Promise<RecordedSale>((resolve, reject) => {
		q.pending.push({ input, resolve, reject });
		if (!q.scheduled) {
			q.scheduled = true;
			setImmediate(() => void drain(db, q, clock));
		}
	});
}

async function drain(
	db: Db,
	queue: { pending: Pending[]; scheduled: boolean },
	clock: Clock
): Promise<void> {
	while (queue.pending.length > 0) {
		const group = queue.pending.splice(0, MAX_GROUP);
		await commitGroup(db, group, clock);
	}
	queue.scheduled = false;
}

async function commitGroup(db: Db, group: Pending[], clock: Clock): Promise<void> {
	let outcomes: ({ recorded: ReturnType<typeof recordSaleInTx> } | { error: AppError })[];
	let writes: WriteBatch;
	let decided: DecidedAwards | undefined;
	try {
		// A database locked by another process is retried whole (it was rolled back whole).
		outcomes = await retryWhenBusy(() => {
			const now = clock();
			const lookups = new SaleLookups();
			writes = new WriteBatch();
			decided = undefined;
			return db.transaction(
				(tx) => {
					const done = group.map((p) => {
						try {
							return {
								recorded: savepoint(tx, () => recordSaleInTx(tx, p.input, now, lookups, writes))
							};
						} catch (error) {
							if (error instanceof AppError) return { error };
							throw error;
						}
					});
					writes.finish(tx, now);
					// The badges follow the ledger in the same transaction: its own BEGIN/COMMIT
					// after the answers was ~18 % of the step's CPU at 200,000 sales
					// (docs/benchmarks.md, "The badges-on step at size"). A failure of the step
					// leaves the sales to commit (decideGroupAwardsInTx).
					const added = done.filter((d) => 'recorded' in d && d.recorded?.activity).length;
					if (saleBadges && added > 0)
						decided = decideGroupAwardsInTx(db, tx, now, added, writes.entries);
					return done;
				},
				{ behavior: 'immediate' }
			);
		});
	} catch (error) {
		// Nothing of the group was committed: every request hears the failure.
		for (const p of group) p.reject(error);
		return;
	}
	const touched = new Map<number, number[]>();
	outcomes.forEach((outcome, i) => {
		if ('error' in outcome) return group[i].reject(outcome.error);
		const { activity, ...recorded } = outcome.recorded;
		if (activity) {
			recorded.version = writes.versionOf(recorded.seasonId);
			publishActivity(activity);
			const sellers = touched.get(recorded.seasonId) ?? [];
			sellers.push(activity.userId);
			touched.set(recorded.seasonId, sellers);
		}
		group[i].resolve(recorded);
	});
	for (const [seasonId, sellers] of touched) {
		countSalesRecorded(sellers.length);
		notifyLeaderboard(seasonId);
	}
	// After the answers have gone out: the awards the group's transaction decided are pushed.
	const awards = decided;
	if (awards) setImmediate(() => publishDecided(db, awards, clock));
}

/**
 * The group's badge step as the synchronous twin ran it (badges/awards.ts before hb-salestep): in
 * a savepoint, its failure leaving the sales to commit and the facts to the catch-up.
 */
function decideGroupAwardsInTx(
	db: Db,
	tx: Queryable,
	now: number,
	sales: number,
	held: readonly HeldEntry[]
): DecidedAwards {
	try {
		return savepoint(tx, () => {
			const { added, done } = catchUpFacts(tx, stepLimitOn(db, sales), held);
			return { changes: applyNewSales(tx, added, now), backlog: !done };
		});
	} catch (error) {
		log.error({ err: error }, 'badges of a group of API sales failed: left to the catch-up');
		return { changes: new Map(), backlog: true };
	}
}
