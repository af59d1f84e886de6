import { json } from '@sveltejs/kit';
import { openApiDocument } from '$lib/server/api/openapi';

/** GET /api/v1/openapi.json: the OpenAPI 3.1 document of the API, no token needed. */
export const GET = () =>
	json(openApiDocument(), { headers: { 'cache-control': 'public, max-age=300' } });
