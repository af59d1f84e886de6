import { json } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { apiHandler, parseId } from '$lib/server/api/respond';
import { knockoutJson } from '$lib/server/knockouts/knockout-api';

export const GET = apiHandler(({ params }) => json(knockoutJson(getDb(), parseId(params.id))));
