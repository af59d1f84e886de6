import { error } from '@sveltejs/kit';
import Papa from 'papaparse';
import type { RequestHandler } from './$types';
import { getDb } from '$lib/server/db';
import { EXECUTIVES, requireRole } from '$lib/server/auth/guards';
import { systemClock } from '$lib/server/shared/clock';
import { dashboardCsvRows, loadDashboard } from '$lib/server/dashboard/figures';

export const GET: RequestHandler = (event) => {
	requireRole(event, EXECUTIVES, 'The dashboard is for executives and contest managers.');
	const dashboard = loadDashboard(getDb(), event.url.searchParams, systemClock);
	if (!dashboard) error(404, { message: 'No such season.' });
	const csv = Papa.unparse(dashboardCsvRows(dashboard), {
		columns: ['section', 'date', 'team', 'metric', 'value']
	});
	const name = `dashboard-season-${dashboard.season.id}-${dashboard.filters.from}-${dashboard.filters.to}.csv`;
	return new Response(csv, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="${name}"`
		}
	});
};
