import { error, json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { getImportJob, jobView } from '$lib/server/imports/jobs';

// Layout loads do not guard endpoints: this one checks the role itself.
export const GET: RequestHandler = (event) => {
	const user = requireRole(event, MANAGERS);
	const job = getImportJob(event.params.id, { userId: user.id });
	if (!job) error(404, { message: 'This import is unknown or has expired.' });
	return json(jobView(job), { headers: { 'cache-control': 'no-store' } });
};
