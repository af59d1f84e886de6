import type { RequestHandler } from './$types';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { csvResponse } from '$lib/csv';
import { exampleQuotaCsv } from '$lib/server/quotas/quota-csv';

/** A quota file to start from, in the format the import reads (docs/divisions.md). */
export const GET: RequestHandler = (event) => {
	requireRole(event, MANAGERS);
	return csvResponse(exampleQuotaCsv(), 'quota-example.csv');
};
