import type { Db } from '../db';
import { notifyLeaderboard } from '../realtime/publish';
import { advanceSprints } from '../sprints/decide';
import { systemClock, type Clock } from '../shared/clock';
import { advanceKnockouts } from './advance';

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
