import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { getStore } from '$lib/server/db/store';
import { getBoardTop } from '$lib/server/boards/leaderboard';
import { getKnockout } from '$lib/server/knockouts/bracket';
import { knockoutCard } from '$lib/server/knockouts/view';
import { readMembership, readSeason } from '$lib/server/seasons/queries';
import { m } from '$lib/paraglide/messages.js';

export const load: PageServerLoad = async ({ params, parent }) => {
	const { user } = await parent();
	const id = Number(params.id);
	const db = getDb();
	const found = Number.isInteger(id) && id > 0 ? getKnockout(db, id) : undefined;
	// A cancelled knockout shows nowhere.
	const k = found?.status === 'cancelled' ? undefined : found;
	const season = k && (await readSeason(getStore(), k.seasonId));
	if (!k || !season) error(404, { message: m.knockouts_not_found() });
	return {
		knockout: knockoutCard(db, k, Date.now()),
		knockoutSeason: { id: season.id, timeZone: season.timeZone },
		board: getBoardTop(db, season.id, { top: 1 }),
		/** The viewer's own side: themselves, or their team in a team knockout. */
		me:
			k.subject === 'user'
				? user.id
				: ((await readMembership(getStore(), season.id, user.id))?.teamId ?? null)
	};
};
