import { json } from '@sveltejs/kit';
import { retryWhenBusy } from '$lib/server/db';
import { getStore } from '$lib/server/db/store';
import { apiHandler, parseId, parseJson } from '$lib/server/api/respond';
import { API_MANAGERS } from '$lib/server/auth/guards';
import {
	createKnockoutFor,
	knockoutCreateSchema,
	listKnockoutsJson
} from '$lib/server/knockouts/knockout-api';

export const GET = apiHandler(async ({ params }) =>
	json({ entries: await listKnockoutsJson(getStore(), parseId(params.id)) })
);

export const POST = apiHandler(async ({ params, request, principal }) => {
	const seasonId = parseId(params.id);
	const body = await parseJson(request, knockoutCreateSchema);
	const made = await retryWhenBusy(() => createKnockoutFor(getStore(), seasonId, body, principal));
	return json(made.knockout, { status: made.created ? 201 : 200 });
}, API_MANAGERS);
