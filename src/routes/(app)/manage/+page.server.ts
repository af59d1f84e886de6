import type { PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { MANAGERS, requireRole } from '$lib/server/guards';
import { getCurrentSeason } from '$lib/server/seasons';
import { seasonOverview } from '$lib/server/overview';

export const load: PageServerLoad = (event) => {
	requireRole(event, MANAGERS);
	const db = getDb();
	const season = getCurrentSeason(db);
	return { overview: season ? seasonOverview(db, season.id) : null, seasonName: season?.name ?? null };
};
