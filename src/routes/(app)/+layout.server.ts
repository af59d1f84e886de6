import type { LayoutServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/guards';
import { getCurrentSeason, getLiveSeasonFor, getMembership } from '$lib/server/seasons';

export const load: LayoutServerLoad = (event) => {
	const user = requireUser(event);
	const db = getDb();
	const season = getLiveSeasonFor(db, user.id) ?? getCurrentSeason(db) ?? null;
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
		membership
	};
};
