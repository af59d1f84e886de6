import type { RequestHandler } from './$types';
import { getStore } from '$lib/server/db/store';
import { EXECUTIVES, requireRole } from '$lib/server/auth/guards';
import { rankingCsv } from '$lib/server/exports/season-csv';
import { seasonFor } from '$lib/server/exports/seasons';
import { exportFormatOf, sheetFor } from '$lib/server/exports/sheet-format';
import { csvFileName, csvResponse } from '$lib/csv';
import { m } from '$lib/paraglide/messages.js';

// Endpoints run no layout load: the role is checked here.
export const GET: RequestHandler = async (event) => {
	requireRole(event, EXECUTIVES, m.exports_executives_only());
	const season = await seasonFor(event);
	const sheet = sheetFor(exportFormatOf(event.url.searchParams), season.timeZone);
	return csvResponse(
		await rankingCsv(getStore(), season.id, sheet),
		csvFileName(season.name, `season-${season.id}`, 'ranking')
	);
};
