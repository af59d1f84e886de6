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

/** Whether some session holds the lock (`key`, `id`): never on SQLite, where none is taken. */
export async function clusterLockHeld(store: Store, key: number, id: number): Promise<boolean> {
	if (store.dialect !== 'postgres') return false;
	// objsubid 2: a lock taken with two int4 keys, as clusterLock takes it.
	const { rows } = await store.pool.query<{ held: boolean }>(
		`select exists(select 1 from pg_locks where locktype = 'advisory' and classid = $1::int::oid
			and objid = $2::int::oid and objsubid = 2) as held`,
		[key, id]
	);
	return rows[0].held;
}
