import type { PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { readBoardTop } from '$lib/server/boards/leaderboard';
import { formatsNow } from '$lib/server/realtime/publish';
import { divisionOf } from '$lib/server/divisions/standings';

export const load: PageServerLoad = async ({ parent }) => {
	const { season, user } = await parent();
	if (!season) return { board: null, formats: {}, myDivisionId: null };
	const store = getStore();
	return {
		// The socket's pushes carry the divisions' changes; the board top is what it starts from.
		board: await readBoardTop(store, season.id, { top: 3 }),
		formats: await formatsNow(store, season.id),
		myDivisionId: await divisionOf(store, season.id, user.id)
	};
};
