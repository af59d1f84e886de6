import type { PoolClient } from 'pg';
import type { Store } from './store';

// One run of a long piece of work at a time across the nodes of one database: on PostgreSQL a
// session advisory lock on a pool client of its own (a node that dies drops it with its
// session); on SQLite nothing to take, one process writes the file's long work at a time
// already (its runs are merged per connection). shared/season-lock.ts takes one per season.

/** How often a run waiting for another node's polls the lock. */
const LOCK_POLL_MS = 200;

export interface ClusterLock {
	release(): Promise<void>;
}

const NOTHING_HELD: ClusterLock = { release: async () => {} };

/** Takes the lock (`key`, `id`), waiting while another node holds it. */
export async function clusterLock(store: Store, key: number, id: number): Promise<ClusterLock> {
	if (store.dialect !== 'postgres') return NOTHING_HELD;
	for (;;) {
		const client: PoolClient = await store.pool.connect();
		let held = false;
		try {
			const { rows } = await client.query<{ held: boolean }>(
				'select pg_try_advisory_lock($1, $2) as held',
				[key, id]
			);
			held = rows[0].held;
		} finally {
			if (!held) client.release();
		}
		if (held)
			return {
				async release() {
					try {
						await client.query('select pg_advisory_unlock($1, $2)', [key, id]);
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
