import { unportedSqlite, type Store, type StoreDb } from '../db/store';
import { decideGroupAwardsInTx, type DecidedAwards } from '../badges/awards';
import { decideGroupAwardsInWrite, publishDecidedOnStore } from '../badges/decide-in-write';
import type { HeldEntry } from './sale-rows';
import type { Clock } from '../shared/clock';

// The badge step of a group of sales, inside the group's write (group-commit.ts), so the sales
// and their badges commit together. On SQLite it runs synchronously on the write's own
// connection (its statements land between the write's); on PostgreSQL the same bodies
// (badges/steps.ts) run awaited on the write's transaction (badges/decide-in-write.ts). Either
// way a backlog the step left is taken in by the same catch-up (badges/catch-up.ts).

/**
 * Decides the awards of the group's `held` entries (the sales it recorded, as written); null
 * when there is nothing to publish. A failure of the step leaves the sales to commit
 * (decideGroupAwardsInTx: the facts catch up from the ledger after).
 */
export async function saleAwardsInWrite(
	tx: StoreDb,
	store: Store,
	now: number,
	held: readonly HeldEntry[]
): Promise<DecidedAwards | null> {
	if (held.length === 0) return null;
	const sqlite = unportedSqlite(store);
	if (sqlite) return decideGroupAwardsInTx(sqlite, sqlite, now, held.length, held);
	return decideGroupAwardsInWrite(tx, store, now, held);
}

/**
 * Publishes what saleAwardsInWrite decided, once the group's write has committed; a backlog it
 * left is taken in by the catch-up's slices (badges/catch-up.ts, one body for both dialects).
 */
export function publishSaleAwards(store: Store, decided: DecidedAwards, clock: Clock): void {
	publishDecidedOnStore(store, decided, clock);
}
