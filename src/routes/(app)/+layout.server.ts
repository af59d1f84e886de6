import type { LayoutServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/auth/guards';
import { getMembership } from '$lib/server/seasons/queries';
import { chosenSeason } from '$lib/server/seasons/choice';

export const load: LayoutServerLoad = (event) => {
	const user = requireUser(event);
	const db = getDb();
	const chosen = chosenSeason(db, user, event.url, event.cookies);
	const season = chosen.season ?? null;
	const membership = season ? (getMembership(db, season.id, user.id) ?? null) : null;
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
