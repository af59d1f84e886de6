import type { Store, StoreDb } from '../db/store';
import type { DecidedAwards } from '../badges/awards';
import {
	decideGroupAwardsInWrite,
	publishDecidedOnStore,
	type StepAhead
} from '../badges/decide-in-write';
import type { HeldEntry } from './sale-rows';
import type { Clock } from '../shared/clock';

// The badge step of a group of sales (group-commit.ts) or of an import's window
// (imports/sales.ts), inside its write, so the sales and their badges commit together: the
// store's body on both dialects (badges/decide-in-write.ts, its facts and decision the
// generators of badges/steps.ts). On SQLite it costs less CPU than the synchronous twin it
// replaced (docs/benchmarks.md, "The sales' badge step on the store, on SQLite"). A backlog the
// step left is taken in by the catch-up (badges/catch-up.ts).

/**
 * Decides the awards of the `held` entries (the sales the write recorded, as written); null
 * when there is nothing to publish. A failure of the step rolls back its savepoint alone: the
 * sales commit and the facts catch up from the ledger after (decideGroupAwardsInWrite).
 */
export async function saleAwardsInWrite(
	tx: StoreDb,
	store: Store,
	now: number,
	held: readonly HeldEntry[],
	// The step's reads, read ahead with the group's sellers (SaleLookups.stepAhead).
	ahead?: StepAhead
): Promise<DecidedAwards | null> {
	if (held.length === 0) return null;
	return decideGroupAwardsInWrite(tx, store, now, held, held.length, ahead);
}

/**
 * Publishes what saleAwardsInWrite decided, once the write has committed; a backlog it left is
 * taken in by the catch-up's slices (badges/catch-up.ts, one body for both dialects).
 */
export function publishSaleAwards(store: Store, decided: DecidedAwards, clock: Clock): void {
	publishDecidedOnStore(store, decided, clock);
}
