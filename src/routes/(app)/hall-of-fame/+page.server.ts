import type { PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/guards';
import { listHallOfFame } from '$lib/server/hall-of-fame';

export const load: PageServerLoad = (event) => {
	requireUser(event);
	return { seasons: listHallOfFame(getDb()) };
};
