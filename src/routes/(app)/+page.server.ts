import type { PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { getLeaderboard } from '$lib/server/leaderboard';
import { recentActivity } from '$lib/server/activity';

export const load: PageServerLoad = async ({ parent }) => {
	const { season } = await parent();
	if (!season) return { board: null, activity: [] };
	const db = getDb();
	return { board: getLeaderboard(db, season.id), activity: recentActivity(db, season.id) };
};
