import type { PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { exportableSeasons, exportSeason } from '$lib/server/exports/seasons';
import { isExportFormat } from '$lib/server/exports/sheet-format';

export const load: PageServerLoad = (event) => {
	requireRole(event, MANAGERS);
	const db = getDb();
	const asked = Number(event.url.searchParams.get('season'));
	const season = exportSeason(db, Number.isInteger(asked) && asked > 0 ? asked : null);
	const format = event.url.searchParams.get('format');
	return {
		seasons: exportableSeasons(db),
		season: season
			? { id: season.id, name: season.name, status: season.status, timeZone: season.timeZone }
			: null,
		format: isExportFormat(format) ? format : 'standard',
		currency: event.locals.currency
	};
};
