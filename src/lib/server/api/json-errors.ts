import { json, type Handle } from '@sveltejs/kit';

// Every /api/v1 answer is JSON. An unknown path is answered by the catch-all route
// (routes/api/v1/[...path]); a known path with a method it does not serve gets SvelteKit's plain
// 405, which this handle rewrites in the API's one error shape, keeping its Allow header.

export function notFoundResponse(path: string): Response {
	return json(
		{ error: { code: 'not_found', message: `No API route ${path}`, details: {} } },
		{ status: 404 }
	);
}

export const API_PREFIX = '/api/v1/';

export const handleApiErrors: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	if (!event.url.pathname.startsWith(API_PREFIX)) return response;
	if (response.headers.get('content-type')?.includes('json')) return response;
	if (response.status === 404) return notFoundResponse(event.url.pathname);
	if (response.status !== 405) return response;
	const allow = response.headers.get('allow') ?? '';
	return json(
		{
			error: {
				code: 'method_not_allowed',
				message: `${event.request.method} is not allowed on ${event.url.pathname}${allow ? `: use ${allow}` : ''}`,
				details: { allow: allow.split(/,\s*/).filter(Boolean) }
			}
		},
		{ status: 405, headers: allow ? { allow } : {} }
	);
};
