import { json } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { apiHandler } from '$lib/server/api/respond';
import { AppError } from '$lib/server/shared/errors';
import { getCurrentSeason } from '$lib/server/seasons/queries';
import { seasonJson } from '$lib/server/api/season-json';

export const GET = apiHandler(() => {
	const season = getCurrentSeason(getDb());
	if (!season) throw new AppError(404, 'no_live_season', 'No season is live right now');
	return json(seasonJson(season));
});
