import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getDb } from '$lib/server/db';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { errorsDownload, getImportJob } from '$lib/server/imports/jobs';
import { m } from '$lib/paraglide/messages.js';

/** Every error of a finished import started from this page, as CSV (only its owner). */
export const GET: RequestHandler = (event) => {
	const user = requireRole(event, MANAGERS);
	const job = getImportJob(getDb(), event.params.id, { userId: user.id });
	if (!job?.report) error(404, { message: m.import_job_unknown() });
	return errorsDownload(getDb(), job);
};
