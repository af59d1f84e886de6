import type { PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { exportableSeasons, exportSeason } from '$lib/server/exports/seasons';
import { isExportFormat } from '$lib/server/exports/sheet-format';

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	const store = getStore();
	const asked = Number(event.url.searchParams.get('season'));
	const season = await exportSeason(store, Number.isInteger(asked) && asked > 0 ? asked : null);
	const format = event.url.searchParams.get('format');
	return {
		seasons: await exportableSeasons(store),
		season: season
			? { id: season.id, name: season.name, status: season.status, timeZone: season.timeZone }
			: null,
		format: isExportFormat(format) ? format : 'standard',
		currency: event.locals.currency
	};
};
