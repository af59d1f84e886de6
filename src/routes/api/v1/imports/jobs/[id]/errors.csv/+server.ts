import { getStore } from '$lib/server/db/store';
import { apiHandler } from '$lib/server/api/respond';
import { API_WRITERS } from '$lib/server/auth/guards';
import { AppError, notFound } from '$lib/server/shared/errors';
import { errorsDownload, getImportJob } from '$lib/server/imports/jobs';

/** GET /api/v1/imports/jobs/:id/errors.csv: every error of a finished import (same token). */
export const GET = apiHandler(async ({ params, principal }) => {
	const job = await getImportJob(getStore(), params.id ?? '', { tokenId: principal.tokenId });
	if (!job) throw notFound('unknown_job', 'This import is unknown or has expired');
	if (!job.report) throw new AppError(409, 'job_running', 'The import has not finished yet');
	return errorsDownload(getStore(), job);
}, API_WRITERS);
