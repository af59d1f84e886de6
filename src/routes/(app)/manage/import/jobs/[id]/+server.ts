import { error, json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { getImportJob, jobView } from '$lib/server/imports/jobs';
import { m } from '$lib/paraglide/messages.js';

// Layout loads do not guard endpoints: this one checks the role itself.
export const GET: RequestHandler = async (event) => {
	const user = requireRole(event, MANAGERS);
	const job = await getImportJob(getStore(), event.params.id, { userId: user.id });
	if (!job) error(404, { message: m.import_job_unknown() });
	return json(jobView(job), { headers: { 'cache-control': 'no-store' } });
};
