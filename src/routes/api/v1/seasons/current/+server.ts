import { json } from '@sveltejs/kit';
import { getStore } from '$lib/server/db/store';
import { apiHandler } from '$lib/server/api/respond';
import { AppError } from '$lib/server/shared/errors';
import { getCurrentSeason } from '$lib/server/seasons/queries';
import { seasonJson } from '$lib/server/api/season-json';

export const GET = apiHandler(async () => {
	const season = await getCurrentSeason(getStore());
	if (!season) throw new AppError(404, 'no_live_season', 'No season is live right now');
	return json(seasonJson(season));
});
