import { getRequestEvent } from '$app/server';
import type { Season } from '../db/schema';
import { getStore } from '../db/store';
import { getCurrentSeason } from './queries';
import { chosenSeason, preparedSeason, remember, SEASON_COOKIE, STAFF } from './chosen';

export { chosenSeason };

/**
 * The season the contest console works on: the one chosen in the contest switcher, so that
 * with parallel contests a manager edits the rules, badges or catalogue they are looking at;
 * or, for staff, a season still being prepared that a link (`?season=ID`) chose. With one live
 * season and nothing in preparation this is simply that season.
 */
export async function consoleSeason(): Promise<Season | undefined> {
	const event = getRequestEvent();
	const store = getStore();
	const user = event.locals.user;
	if (!user) return getCurrentSeason(store);
	// A season being set up (from its launch checklist: `?season=ID`) is worked on before it is
	// live; the choice is remembered so that the page's form actions act on the same season.
	if (STAFF.has(user.role)) {
		const asked = await preparedSeason(store, Number(event.url.searchParams.get('season')));
		if (asked) {
			if (Number(event.cookies.get(SEASON_COOKIE)) !== asked.id) remember(event.cookies, asked.id);
			return asked;
		}
		if (!event.url.searchParams.has('season')) {
			const remembered = await preparedSeason(store, Number(event.cookies.get(SEASON_COOKIE)));
			if (remembered) return remembered;
		}
	}
	return (await chosenSeason(store, user, event.url, event.cookies)).season;
}
