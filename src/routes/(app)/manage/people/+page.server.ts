import type { PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { consoleSeason } from '$lib/server/seasons/choice';
import { seasonPeople } from '$lib/server/people/participants';

export const load: PageServerLoad = (event) => {
	requireRole(event, MANAGERS);
	const db = getDb();
	const season = consoleSeason();
	return {
		season: season ? { id: season.id, name: season.name } : null,
		// Everyone is sent and the page filters: the list is a season's sales force, not a directory.
		people: season ? seasonPeople(db, season.id) : [],
		q: (event.url.searchParams.get('q') ?? '').slice(0, 100)
	};
};
