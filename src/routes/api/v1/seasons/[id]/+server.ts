import { json } from '@sveltejs/kit';
import { getStore } from '$lib/server/db/store';
import { apiHandler, parseId } from '$lib/server/api/respond';
import { AppError } from '$lib/server/shared/errors';
import { seasonJson } from '$lib/server/api/season-json';
import { readSeason } from '$lib/server/seasons/queries';

export const GET = apiHandler(async ({ params }) => {
	const found = await readSeason(getStore(), parseId(params.id));
	if (!found) throw new AppError(404, 'not_found', `No season ${params.id}`);
	return json(seasonJson(found));
});
