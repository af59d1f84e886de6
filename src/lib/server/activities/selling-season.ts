import type { Cookies } from '@sveltejs/kit';
import { getStore } from '../db/store';
import type { SessionUser } from '../auth/session';
import { chosenSeason } from '../seasons/choice';
import { readLiveSeasonFor, readMembership } from '../seasons/queries';

/**
 * The live season a person sells, refers or logs activities into: the one they chose on the
 * board, if they take part in it and it is live, else their latest live season.
 */
export async function sellingSeason(
	user: Pick<SessionUser, 'id' | 'role'>,
	url: URL,
	cookies: Pick<Cookies, 'get' | 'set'>
) {
	const store = getStore();
	const { season } = await chosenSeason(store, user, url, cookies);
	return season && season.status === 'live' && (await readMembership(store, season.id, user.id))
		? season
		: readLiveSeasonFor(store, user.id);
}
