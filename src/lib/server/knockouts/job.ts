import type { Db } from '../db';
import { notifyLeaderboard } from '../realtime/publish';
import { advanceSprints, advanceSprintsOffThread } from '../sprints/decide';
import { getReadThread } from '../reads/thread';
import { systemClock, type Clock } from '../shared/clock';
import { advanceKnockouts, advanceKnockoutsOffThread } from './advance';

/**
 * The scheduler's tick for sprints and knockouts: starts, ends and freezes sprints, seeds
 * knockouts and freezes their rounds, then pushes the boards of the seasons that changed (no
 * points moved, so nothing else would). Returns how many seasons changed.
 */
export function runBracketJobs(db: Db, clock: Clock = systemClock): number {
	const seasons = new Set([...advanceSprints(db, clock), ...advanceKnockouts(db, clock)]);
	for (const id of seasons) notifyLeaderboard(id);
	return seasons.size;
}

/**
 * runBracketJobs for a running server: the sprints and the knockout rounds due to be frozen are
 * read by the read thread when there is one (a live sprint at 200,000 sales is a ~200 ms read,
 * a knockout round ~260 ms), so that the event loop only writes what changed.
 */
export async function runBracketJobsOffThread(db: Db, clock: Clock = systemClock): Promise<number> {
	const thread = getReadThread();
	if (!thread) return runBracketJobs(db, clock);
	const sprints = await advanceSprintsOffThread(db, thread, clock);
	const knockouts = await advanceKnockoutsOffThread(db, thread, clock);
	const seasons = new Set([...sprints, ...knockouts]);
	for (const id of seasons) notifyLeaderboard(id);
	return seasons.size;
}
