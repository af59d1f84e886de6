import type { PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { getBoardTop } from '$lib/server/boards/leaderboard';
import { sprintCards } from '$lib/server/sprints/view';
import { knockoutCard, knockoutsOf } from '$lib/server/knockouts/view';

export const load: PageServerLoad = async ({ parent }) => {
	const { season } = await parent();
	if (!season) return { board: null, sprints: [], knockouts: [] };
	const db = getDb();
	const now = Date.now();
	return {
		board: getBoardTop(db, season.id, { top: 1 }),
		sprints: sprintCards(db, season.id, now, { all: true }),
		knockouts: knockoutsOf(db, season.id, now, { all: true }).map((k) => knockoutCard(db, k, now))
	};
};
