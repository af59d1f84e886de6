import { json } from '@sveltejs/kit';
import { getStore } from '$lib/server/db/store';
import { apiHandler, parseQuery } from '$lib/server/api/respond';
import { importJobQuerySchema } from '$lib/server/api/schemas';
import { API_WRITERS } from '$lib/server/auth/guards';
import { notFound } from '$lib/server/shared/errors';
import { getImportJob } from '$lib/server/imports/jobs';
import { apiJob } from '$lib/server/imports/api-report';

/** GET /api/v1/imports/jobs/:id: an import's progress, and its report once done (same token). */
export const GET = apiHandler(async ({ params, url, principal }) => {
	const { details } = parseQuery(url, importJobQuerySchema);
	const job = await getImportJob(getStore(), params.id ?? '', { tokenId: principal.tokenId });
	if (!job) throw notFound('unknown_job', 'This import is unknown or has expired');
	return json(apiJob(job, details === '1'), { headers: { 'cache-control': 'no-store' } });
}, API_WRITERS);
