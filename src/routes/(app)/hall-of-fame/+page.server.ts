import type { PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { requireUser } from '$lib/server/auth/guards';
import { listHallOfFame } from '$lib/server/boards/hall-of-fame';

export const load: PageServerLoad = async (event) => {
	requireUser(event);
	return { seasons: await listHallOfFame(getStore()) };
};
