import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/auth/guards';
import { hallOfFameSeason } from '$lib/server/boards/hall-of-fame';

export const load: PageServerLoad = (event) => {
	requireUser(event);
	const id = Number(event.params.id);
	const found = Number.isInteger(id) && id > 0 ? hallOfFameSeason(getDb(), id) : null;
	if (!found)
		error(404, {
			message: 'This season is not in the hall of fame (yet): results appear when a season ends.'
		});
	return found;
};
