import type { LayoutServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { requireUser } from '$lib/server/auth/guards';
import { readMembership } from '$lib/server/seasons/queries';
import { chosenSeason } from '$lib/server/seasons/choice';

export const load: LayoutServerLoad = async (event) => {
	const user = requireUser(event);
	const store = getStore();
	const chosen = await chosenSeason(store, user, event.url, event.cookies);
	const season = chosen.season ?? null;
	const membership = season ? ((await readMembership(store, season.id, user.id)) ?? null) : null;
	return {
		user,
		season: season && {
			id: season.id,
			name: season.name,
			theme: season.theme,
			timeZone: season.timeZone,
			startsAt: season.startsAt,
			endsAt: season.endsAt,
			status: season.status,
			target: season.target
		},
		membership,
		/** Parallel contests: the live seasons this person can switch between (one: no switcher). */
		liveSeasons: chosen.options
	};
};
