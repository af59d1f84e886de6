import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { errorsDownload, getImportJob } from '$lib/server/imports/jobs';
import { m } from '$lib/paraglide/messages.js';

/** Every error of a finished import started from this page, as CSV (only its owner). */
export const GET: RequestHandler = async (event) => {
	const user = requireRole(event, MANAGERS);
	const job = await getImportJob(getStore(), event.params.id, { userId: user.id });
	if (!job?.report) error(404, { message: m.import_job_unknown() });
	return errorsDownload(getStore(), job);
};
