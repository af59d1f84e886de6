import type { Store } from './store';

// An import's window (imports/sales.ts) of 500 sales writes 400–700 pages to the WAL (the sales
// with their six indexes, the lines and ledger entries, the dashboard rollups, standings and
// badge facts), so at SQLite's automatic checkpoint of 1,000 pages every second window's commit
// also copied the WAL back into the database file, with a sync: the same index and rollup pages copied again
// and again. While a window is written its connection checkpoints only past
// WINDOW_CHECKPOINT_PAGES; then the connection's own setting is back, so the next commit past
// it (the import's audit entry at its end, or any request in between) checkpoints what the
// windows left.
//
// Safe with anything else writing on the connection: the value is raised from just before the
// window's write (which starts after one turn of the loop) to just after its commit, so at most
// a request that commits in that turn checkpoints later than it would have; each window restores
// the value it found (an import's windows follow one another). A connection whose automatic
// checkpoint is off (0) or already higher is left as it is: someone else checkpoints (a
// checkpoint thread), or the WAL may grow that far anyway.

/**
 * How far the WAL may grow before a window's commit checkpoints (4 KiB pages: 16 MiB, six to
 * eight windows). Also what a request that commits between two windows may find to checkpoint:
 * 20,000 pages measured no faster (20,000 rows, load 6: 4.4 s against 4.6 s, 5.2 s at 1,000)
 * and could hand a request a checkpoint five times longer.
 */
export const WINDOW_CHECKPOINT_PAGES = 4_000;

/**
 * Runs `write` (one window's write) with fewer automatic checkpoints on SQLite's connection; on
 * PostgreSQL, which has no WAL of the process's own to checkpoint, just runs it.
 */
export async function withFewerCheckpoints<T>(store: Store, write: () => Promise<T>): Promise<T> {
	if (store.dialect !== 'sqlite') return write();
	const client = store.sqlite.$client;
	const own = client.pragma('wal_autocheckpoint', { simple: true }) as number;
	if (own <= 0 || own >= WINDOW_CHECKPOINT_PAGES) return write();
	client.pragma(`wal_autocheckpoint = ${WINDOW_CHECKPOINT_PAGES}`);
	try {
		return await write();
	} finally {
		client.pragma(`wal_autocheckpoint = ${own}`);
	}
}
