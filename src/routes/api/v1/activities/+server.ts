import { json } from '@sveltejs/kit';
import { retryWhenBusy } from '$lib/server/db';
import { getStore } from '$lib/server/db/store';
import { apiHandler, parseJson } from '$lib/server/api/respond';
import { activityAnswer, createActivitySchema } from '$lib/server/activities/activity-api';
import { logActivity } from '$lib/server/activities/record';

export const POST = apiHandler(async ({ request }) => {
	const body = await parseJson(request, createActivitySchema);
	const logged = await retryWhenBusy(() =>
		logActivity(getStore(), {
			source: 'api',
			externalId: body.externalId,
			person: { email: body.person.email },
			type: body.type,
			quantity: body.quantity,
			occurredAt: Date.parse(body.occurredAt)
		})
	);
	return json(activityAnswer(logged), { status: logged.created ? 201 : 200 });
});
