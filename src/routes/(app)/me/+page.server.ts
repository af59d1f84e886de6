import type { PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { getPlayersCount, getStanding } from '$lib/server/boards/leaderboard';
import { personHistory } from '$lib/server/boards/person-history';

export const load: PageServerLoad = async ({ parent }) => {
	const { season, user, membership } = await parent();
	if (!season || !membership) return { history: [], me: null, timeZone: season?.timeZone ?? 'UTC' };
	const db = getDb();
	// One person's place through the rank index, not the whole ranking.
	return {
		history: personHistory(db, season.id, user.id),
		me: getStanding(db, season.id, user.id)?.entry ?? null,
		of: getPlayersCount(db, season.id),
		timeZone: season.timeZone
	};
};
