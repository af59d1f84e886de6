// Stopping the jobs resolves once their last writes are done (shared/jobs.ts): the scheduler's
// lease released, the imports given back. The server closes its database after that promise
// (server.ts closeDatabase); when it closed the pool as soon as the sockets were closed, these
// writes came after the pool's end on a node with no socket open and were refused ("Cannot use
// a pool after calling end on the pool", logged by every bench:ingest --postgres run).
import { describe, expect, it, vi } from 'vitest';
import { startJobs } from '../../src/lib/server/shared/jobs';
import { twoNodesPerDialect } from '../helpers/store-nodes';

const nodes = twoNodesPerDialect('jobs-stop');

describe('stopping the jobs on postgres', () => {
	it('resolves once the scheduler has given its lease up', async () => {
		const [store] = nodes.postgres;
		const { schedulerLease } = store.tables;
		const stop = startJobs(store, { firstRunDelayMs: 0 });
		await vi.waitFor(async () => {
			expect(await store.db.select().from(schedulerLease)).toHaveLength(1);
		});
		await stop();
		expect(await store.db.select().from(schedulerLease)).toEqual([]);
	});
});
