import type { LeaderboardEntry } from '$lib/realtime/events';

/**
 * Who stands on the podium: the top three who have points (confirmed or pending). Nobody gets a
 * medal for 0 points, so a season where nobody has scored yet has an empty podium rather than
 * everyone tied first with gold.
 */
export function podiumEntries(entries: readonly LeaderboardEntry[]): LeaderboardEntry[] {
	return entries.filter((e) => e.points > 0 || e.provisionalPoints > 0).slice(0, 3);
}
