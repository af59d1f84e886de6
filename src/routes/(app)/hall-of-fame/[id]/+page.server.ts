import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { requireUser } from '$lib/server/auth/guards';
import { hallOfFameSeason } from '$lib/server/boards/hall-of-fame';
import { m } from '$lib/paraglide/messages.js';

export const load: PageServerLoad = async (event) => {
	requireUser(event);
	const id = Number(event.params.id);
	const found = Number.isInteger(id) && id > 0 ? await hallOfFameSeason(getStore(), id) : null;
	if (!found) error(404, { message: m.fame_not_in_hall() });
	return found;
};
