import { json } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { apiHandler, parseId } from '$lib/server/api/respond';
import { AppError } from '$lib/server/shared/errors';
import { seasonJson } from '$lib/server/api/season-json';
import { getSeason } from '$lib/server/seasons/queries';

export const GET = apiHandler(({ params }) => {
	const found = getSeason(getDb(), parseId(params.id));
	if (!found) throw new AppError(404, 'not_found', `No season ${params.id}`);
	return json(seasonJson(found));
});
