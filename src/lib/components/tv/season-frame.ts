import type { SeasonEvent } from '$lib/realtime/events';

/** What a TV page was built with, of the season a `season` frame speaks of. */
export interface ShownSeason {
	status: string;
	/** The fingerprint of its name, theme, dates and target (server/seasons/look.ts). */
	look: string;
}

/**
 * Whether a `season` frame says something the screen does not show yet, so that its page must
 * be loaded again: another status (it ended, was archived, went live) or other looks (a rename,
 * a new theme or dates). A frame without `look` (a status change, an announcement, which the TV
 * does not show) changes the looks of nothing. The same state sent again, as every node does
 * after a Redis outage, changes nothing.
 */
export function frameChangesScreen(shown: ShownSeason, event: SeasonEvent): boolean {
	if (event.status !== shown.status) return true;
	return event.look !== undefined && event.look !== shown.look;
}
