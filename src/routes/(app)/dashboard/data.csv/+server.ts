import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getStore } from '$lib/server/db/store';
import { m } from '$lib/paraglide/messages.js';
import { EXECUTIVES, requireRole } from '$lib/server/auth/guards';
import { systemClock } from '$lib/server/shared/clock';
import { readDashboard } from '$lib/server/dashboard/figures';
import { dashboardCsv } from '$lib/server/dashboard/dashboard-csv';
import { exportFormatOf, sheetFor } from '$lib/server/exports/sheet-format';
import { csvResponse } from '$lib/csv';

export const GET: RequestHandler = async (event) => {
	requireRole(event, EXECUTIVES, m.dash_for_executives());
	const exportFormat = exportFormatOf(event.url.searchParams);
	const dashboard = await readDashboard(getStore(), event.url.searchParams, systemClock);
	if (!dashboard) error(404, { message: m.dash_no_such_season() });
	const { season, filters } = dashboard;
	return csvResponse(
		dashboardCsv(dashboard, sheetFor(exportFormat, season.timeZone)),
		`dashboard-season-${season.id}-${filters.from}-${filters.to}.csv`
	);
};
