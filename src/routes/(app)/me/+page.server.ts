import type { PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { getLeaderboard } from '$lib/server/boards/leaderboard';
import { personHistory } from '$lib/server/boards/person-history';

export const load: PageServerLoad = async ({ parent }) => {
	const { season, user, membership } = await parent();
	if (!season || !membership) return { history: [], me: null, timeZone: season?.timeZone ?? 'UTC' };
	const db = getDb();
	const board = getLeaderboard(db, season.id);
	return {
		history: personHistory(db, season.id, user.id),
		me: board?.individual.find((e) => e.id === user.id) ?? null,
		of: board?.individual.length ?? 0,
		timeZone: season.timeZone
	};
};
