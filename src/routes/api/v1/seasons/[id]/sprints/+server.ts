import { json } from '@sveltejs/kit';
import { retryWhenBusy } from '$lib/server/db';
import { getStore } from '$lib/server/db/store';
import { apiHandler, parseId, parseJson } from '$lib/server/api/respond';
import { API_MANAGERS } from '$lib/server/auth/guards';
import {
	createSprintFor,
	listSprintsJson,
	sprintCreateSchema
} from '$lib/server/sprints/sprint-api';

export const GET = apiHandler(async ({ params }) =>
	json({ entries: await listSprintsJson(getStore(), parseId(params.id)) })
);

export const POST = apiHandler(async ({ params, request, principal }) => {
	const seasonId = parseId(params.id);
	const body = await parseJson(request, sprintCreateSchema);
	const made = await retryWhenBusy(() => createSprintFor(getStore(), seasonId, body, principal));
	return json(made.sprint, { status: made.created ? 201 : 200 });
}, API_MANAGERS);
