import { json } from '@sveltejs/kit';
import { retryWhenBusy } from '$lib/server/db';
import { getStore } from '$lib/server/db/store';
import { apiHandler, parseJson } from '$lib/server/api/respond';
import { reviewBodySchema } from '$lib/server/api/schemas';
import { API_MANAGERS } from '$lib/server/auth/guards';
import { voidAnswer } from '$lib/server/activities/activity-api';
import { voidByExternalId } from '$lib/server/activities/void';

/** POST /api/v1/activities/:externalId/void `{ reason }` — voiding again answers the same. */
export const POST = apiHandler(async ({ request, params, principal }) => {
	const body = await parseJson(request, reviewBodySchema, { whenEmpty: {} });
	const voided = await retryWhenBusy(() =>
		voidByExternalId(getStore(), params.externalId!, {
			actor: { tokenId: principal.tokenId },
			reason: body.reason
		})
	);
	return json(voidAnswer(voided));
}, API_MANAGERS);
