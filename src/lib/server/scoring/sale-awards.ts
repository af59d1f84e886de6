import { unportedSqlite, type Store, type StoreDb } from '../db/store';
import { decideGroupAwardsInTx, publishDecided, type DecidedAwards } from '../badges/awards';
import type { HeldEntry } from './sale-rows';
import type { Clock } from '../shared/clock';

// The badge step of a group of sales, inside the group's write (group-commit.ts). The badges'
// engine is not on the store yet (docs/postgres.md, "The core, in steps", step 2): on SQLite
// it runs synchronously on the write's own connection, inside its transaction (its statements
// land between the write's), so the sales and their badges commit together as before; on
// PostgreSQL no badge is given yet and the sales commit without one.

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
	const sqlite = unportedSqlite(store);
	// PostgreSQL: no badge yet (the engine's in-write twin goes here, through `tx`).
	if (!sqlite || held.length === 0) return null;
	return decideGroupAwardsInTx(sqlite, sqlite, now, held.length, held);
}

/** Publishes what saleAwardsInWrite decided, once the group's write has committed. */
export function publishSaleAwards(store: Store, decided: DecidedAwards, clock: Clock): void {
	const sqlite = unportedSqlite(store);
	if (sqlite) publishDecided(sqlite, decided, clock);
}
