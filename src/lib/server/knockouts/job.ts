import type { Store } from '../db/store';
import { notifyLeaderboard } from '../realtime/publish';
import { advanceSprints } from '../sprints/decide';
import { getReadThread } from '../reads/thread';
import { systemClock, type Clock } from '../shared/clock';
import { advanceKnockouts } from './advance';

/**
 * The scheduler's tick for sprints and knockouts: starts, ends and freezes sprints, seeds
 * knockouts and freezes their rounds, then pushes the boards of the seasons that changed (no
 * points moved, so nothing else would). Returns how many seasons changed. On SQLite the sprints
 * and the knockout rounds due to be frozen are read by the read thread when the server runs one
 * (a live sprint at 200,000 sales is a ~200 ms read, a knockout round ~260 ms), so that the event
 * loop only writes what changed; elsewhere (PostgreSQL, the CLI, tests) through the store.
 */
export async function runBracketJobs(store: Store, clock: Clock = systemClock): Promise<number> {
	const thread = getReadThread();
	const sprints = await advanceSprints(store, clock, thread);
	const knockouts = await advanceKnockouts(store, clock, thread);
	const seasons = new Set([...sprints, ...knockouts]);
	for (const id of seasons) notifyLeaderboard(id);
	return seasons.size;
}
