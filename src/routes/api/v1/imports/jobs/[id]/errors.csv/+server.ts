import { getDb } from '$lib/server/db';
import { apiHandler } from '$lib/server/api/respond';
import { API_WRITERS } from '$lib/server/auth/guards';
import { AppError, notFound } from '$lib/server/shared/errors';
import { errorsDownload, getImportJob } from '$lib/server/imports/jobs';

/** GET /api/v1/imports/jobs/:id/errors.csv: every error of a finished import (same token). */
export const GET = apiHandler(({ params, principal }) => {
	const job = getImportJob(getDb(), params.id ?? '', { tokenId: principal.tokenId });
	if (!job) throw notFound('unknown_job', 'This import is unknown or has expired');
	if (!job.report) throw new AppError(409, 'job_running', 'The import has not finished yet');
	return errorsDownload(getDb(), job);
}, API_WRITERS);
