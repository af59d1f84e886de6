import { json } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { apiHandler, ApiError, parseId } from '$lib/server/api/respond';
import { seasonJson } from '$lib/server/api/season-json';
import { getSeason } from '$lib/server/seasons/queries';

export const GET = apiHandler(({ params }) => {
	const found = getSeason(getDb(), parseId(params.id));
	if (!found) throw new ApiError(404, 'not_found', `No season ${params.id}`);
	return json(seasonJson(found));
});
