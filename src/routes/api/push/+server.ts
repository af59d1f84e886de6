// Web push for the signed-in person: the server's public key, and this browser's subscription
// (POST stores it, DELETE removes it). JSON, English like the rest of the JSON API.
// Note: SvelteKit checks the Origin of form posts only; a JSON write is checked here, so that
// another site cannot subscribe or unsubscribe in a signed-in person's name.
import { json, type RequestEvent } from '@sveltejs/kit';
import * as z from 'zod';
import type { RequestHandler } from './$types';
import { getStore } from '$lib/server/db/store';
import { vapidKeys } from '$lib/server/notify/push/vapid';
import {
	pushSubscriptionInput,
	refusedEndpoint,
	subscribe,
	unsubscribe
} from '$lib/server/notify/push/subscriptions';

function refuse(status: number, code: string, message: string, details?: unknown) {
	return json({ error: { code, message, ...(details ? { details } : {}) } }, { status });
}

/** The person, or the refusal: signed in, same origin, a JSON body. */
async function readWrite(event: RequestEvent) {
	const user = event.locals.user;
	if (!user) return { refusal: refuse(401, 'unauthorized', 'Sign in first') };
	if (event.request.headers.get('origin') !== event.url.origin)
		return { refusal: refuse(403, 'forbidden', 'Cross-site requests are refused') };
	if (!event.request.headers.get('content-type')?.startsWith('application/json'))
		return { refusal: refuse(415, 'unsupported_media_type', 'Send application/json') };
	let body: unknown;
	try {
		body = await event.request.json();
	} catch {
		return { refusal: refuse(400, 'invalid_json', 'The body is not valid JSON') };
	}
	return { user, body };
}

export const GET: RequestHandler = async ({ locals }) => {
	if (!locals.user) return refuse(401, 'unauthorized', 'Sign in first');
	return json({ publicKey: (await vapidKeys(getStore())).publicKey });
};

export const POST: RequestHandler = async (event) => {
	const read = await readWrite(event);
	if (read.refusal) return read.refusal;
	const parsed = pushSubscriptionInput.safeParse(read.body);
	if (!parsed.success)
		return refuse(
			400,
			'invalid_subscription',
			'Not a push subscription',
			z.treeifyError(parsed.error)
		);
	const refused = refusedEndpoint(parsed.data.endpoint);
	if (refused) return refuse(400, 'invalid_subscription', refused);
	const userAgent = event.request.headers.get('user-agent');
	if (!(await subscribe(getStore(), read.user.id, parsed.data, userAgent, Date.now())))
		return refuse(409, 'conflict', 'This endpoint is another person’s device');
	return json({ subscribed: true }, { status: 201 });
};

const unsubscribeInput = z.object({ endpoint: z.string().min(1).max(1000) });

export const DELETE: RequestHandler = async (event) => {
	const read = await readWrite(event);
	if (read.refusal) return read.refusal;
	const parsed = unsubscribeInput.safeParse(read.body);
	if (!parsed.success)
		return refuse(400, 'invalid_request', 'Give the endpoint', z.treeifyError(parsed.error));
	if (!(await unsubscribe(getStore(), read.user.id, parsed.data.endpoint)))
		return refuse(404, 'not_found', 'You have no subscription at this endpoint');
	return json({ subscribed: false });
};
