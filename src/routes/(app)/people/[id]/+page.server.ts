import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { readSeason } from '$lib/server/seasons/queries';
import { buildProfile } from '$lib/server/boards/profile';
import { m } from '$lib/paraglide/messages.js';

export const load: PageServerLoad = async ({ params, parent }) => {
	const { season, user } = await parent();
	const id = Number(params.id);
	const s =
		season && Number.isInteger(id) && id > 0 ? await readSeason(getStore(), season.id) : undefined;
	const profile = s && (await buildProfile(getStore(), s, id, Date.now()));
	if (!s || !profile) error(404, { message: m.people_profile_not_in_season() });
	return { profile, self: id === user.id, timeZone: s.timeZone, seasonName: s.name };
};
