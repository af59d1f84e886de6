import type { PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { consoleSeason } from '$lib/server/seasons/choice';
import { seasonPeople } from '$lib/server/people/participants';

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	const season = await consoleSeason();
	return {
		season: season ? { id: season.id, name: season.name } : null,
		// Everyone is sent and the page filters: the list is a season's sales force, not a directory.
		people: season ? await seasonPeople(getStore(), season.id) : [],
		q: (event.url.searchParams.get('q') ?? '').slice(0, 100)
	};
};
