import type { Cookies } from '@sveltejs/kit';
import { getDb } from '../db';
import type { SessionUser } from '../auth/session';
import { chosenSeason } from '../seasons/choice';
import { getLiveSeasonFor, getMembership } from '../seasons/queries';

/**
 * The live season a person logs activities into: the one they chose on the board, if they take
 * part in it and it is live, else their latest live season (as /sell chooses for sales).
 */
export function sellingSeason(
	user: Pick<SessionUser, 'id' | 'role'>,
	url: URL,
	cookies: Pick<Cookies, 'get' | 'set'>
) {
	const db = getDb();
	const { season } = chosenSeason(db, user, url, cookies);
	return season && season.status === 'live' && getMembership(db, season.id, user.id)
		? season
		: getLiveSeasonFor(db, user.id);
}
