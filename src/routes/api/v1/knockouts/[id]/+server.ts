import { json } from '@sveltejs/kit';
import { getStore } from '$lib/server/db/store';
import { apiHandler, parseId } from '$lib/server/api/respond';
import { knockoutJson } from '$lib/server/knockouts/knockout-api';

export const GET = apiHandler(async ({ params }) =>
	json(await knockoutJson(getStore(), parseId(params.id)))
);
