import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/auth/guards';
import { hallOfFameSeason } from '$lib/server/boards/hall-of-fame';
import { m } from '$lib/paraglide/messages.js';

export const load: PageServerLoad = (event) => {
	requireUser(event);
	const id = Number(event.params.id);
	const found = Number.isInteger(id) && id > 0 ? hallOfFameSeason(getDb(), id) : null;
	if (!found) error(404, { message: m.fame_not_in_hall() });
	return found;
};
