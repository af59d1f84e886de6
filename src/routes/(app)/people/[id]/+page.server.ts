import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { getSeason } from '$lib/server/seasons/queries';
import { buildProfile } from '$lib/server/boards/profile';

export const load: PageServerLoad = async ({ params, parent }) => {
	const { season, user } = await parent();
	const id = Number(params.id);
	const db = getDb();
	const s = season && Number.isInteger(id) && id > 0 ? getSeason(db, season.id) : undefined;
	const profile = s && buildProfile(db, s, id, Date.now());
	if (!s || !profile)
		error(404, { message: 'This person is not taking part in the current season.' });
	return { profile, self: id === user.id, timeZone: s.timeZone, seasonName: s.name };
};
