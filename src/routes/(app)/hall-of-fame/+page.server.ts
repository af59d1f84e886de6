import type { PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/auth/guards';
import { listHallOfFame } from '$lib/server/boards/hall-of-fame';

export const load: PageServerLoad = (event) => {
	requireUser(event);
	return { seasons: listHallOfFame(getDb()) };
};
