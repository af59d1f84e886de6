import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { readBoardTop } from '$lib/server/boards/leaderboard';
import { readKnockout } from '$lib/server/knockouts/bracket';
import { readKnockoutCard } from '$lib/server/knockouts/view';
import { readMembership, readSeason } from '$lib/server/seasons/queries';
import { m } from '$lib/paraglide/messages.js';

export const load: PageServerLoad = async ({ params, parent }) => {
	const { user } = await parent();
	const id = Number(params.id);
	const store = getStore();
	const found =
		Number.isInteger(id) && id > 0 ? await readKnockout(store.db, store.tables, id) : undefined;
	// A cancelled knockout shows nowhere.
	const k = found?.status === 'cancelled' ? undefined : found;
	const season = k && (await readSeason(store, k.seasonId));
	if (!k || !season) error(404, { message: m.knockouts_not_found() });
	return {
		knockout: await readKnockoutCard(store.db, store.tables, k, Date.now()),
		knockoutSeason: { id: season.id, timeZone: season.timeZone },
		board: await readBoardTop(store, season.id, { top: 1 }),
		/** The viewer's own side: themselves, or their team in a team knockout. */
		me:
			k.subject === 'user'
				? user.id
				: ((await readMembership(store, season.id, user.id))?.teamId ?? null)
	};
};
