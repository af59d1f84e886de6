import type { PoolClient } from 'pg';
import type { Store } from '../db/store';

// One run of a season's long work at a time across the nodes of a PostgreSQL store: a session
// advisory lock on a pool client of its own (a node that dies drops it with its session): the
// badges' re-evaluation and the recalculation (scoring/recalculate-run-store.ts) each take theirs.

/** How often a run waiting for another node's polls the lock. */
const LOCK_POLL_MS = 200;

export interface SeasonLock {
	release(): Promise<void>;
}

/**
 * Takes the lock `key` (a constant per kind of work) for the season, waiting while another node
 * holds it. On SQLite there is nothing to take: one process writes the file's long work at a
 * time already (its runs are merged per connection).
 */
export async function seasonLock(store: Store, key: number, seasonId: number): Promise<SeasonLock> {
	if (store.dialect !== 'postgres') return { release: async () => {} };
	for (;;) {
		const client: PoolClient = await store.pool.connect();
		let held = false;
		try {
			const { rows } = await client.query<{ held: boolean }>(
				'select pg_try_advisory_lock($1, $2) as held',
				[key, seasonId]
			);
			held = rows[0].held;
		} finally {
			if (!held) client.release();
		}
		if (held)
			return {
				async release() {
					try {
						await client.query('select pg_advisory_unlock($1, $2)', [key, seasonId]);
						client.release();
					} catch (error) {
						// The session ended: its lock went with it, and the client is not reused.
						client.release(error as Error);
					}
				}
			};
		await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
	}
}
