import { clusterLock, clusterLockHeld, type ClusterLock } from '../db/cluster-lock';
import type { Store } from '../db/store';

// One run of a season's long work at a time across the nodes of a PostgreSQL store (the store's
// cluster lock, db/cluster-lock.ts): the badges' re-evaluation and the recalculation
// (scoring/recalculate-run-store.ts) each take theirs.

export type SeasonLock = ClusterLock;

/**
 * Takes the lock `key` (a constant per kind of work) for the season, waiting while another node
 * holds it. On SQLite there is nothing to take: one process writes the file's long work at a
 * time already.
 */
export function seasonLock(store: Store, key: number, seasonId: number): Promise<SeasonLock> {
	return clusterLock(store, key, seasonId);
}

/** Whether a node holds the lock `key` for the season (its work goes on somewhere). */
export function seasonLockHeld(store: Store, key: number, seasonId: number): Promise<boolean> {
	return clusterLockHeld(store, key, seasonId);
}
