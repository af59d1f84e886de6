import { json } from '@sveltejs/kit';
import { retryWhenBusy } from '$lib/server/db';
import { getStore } from '$lib/server/db/store';
import { apiHandler, parseId, parseJson, parseQuery } from '$lib/server/api/respond';
import { API_MANAGERS } from '$lib/server/auth/guards';
import {
	challengeCreateSchema,
	challengeListQuerySchema,
	createChallengeFor,
	listChallenges
} from '$lib/server/challenges/challenge-api';

export const GET = apiHandler(async ({ params, url }) => {
	const seasonId = parseId(params.id);
	const query = parseQuery(url, challengeListQuerySchema);
	return json({ entries: await listChallenges(getStore(), seasonId, query) });
});

export const POST = apiHandler(async ({ params, request, principal }) => {
	const seasonId = parseId(params.id);
	const body = await parseJson(request, challengeCreateSchema);
	const made = await retryWhenBusy(() => createChallengeFor(getStore(), seasonId, body, principal));
	return json(made.challenge, { status: made.created ? 201 : 200 });
}, API_MANAGERS);
