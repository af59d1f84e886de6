import type { PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { readBoardTop } from '$lib/server/boards/leaderboard';
import { readSprintCards } from '$lib/server/sprints/view';
import { readKnockoutCards } from '$lib/server/knockouts/view';

export const load: PageServerLoad = async ({ parent }) => {
	const { season } = await parent();
	if (!season) return { board: null, sprints: [], knockouts: [] };
	const store = getStore();
	const now = Date.now();
	return {
		board: await readBoardTop(store, season.id, { top: 1 }),
		sprints: await readSprintCards(store, season.id, now, { all: true }),
		knockouts: (await readKnockoutCards(store, season.id, now, { all: true })).map((k) => k.card)
	};
};
