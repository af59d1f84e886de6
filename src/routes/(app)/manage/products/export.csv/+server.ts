import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { consoleSeason } from '$lib/server/seasons/choice';
import { listCatalogue } from '$lib/server/catalogue/products';
import { catalogueToCsv } from '$lib/server/catalogue/products-csv';
import { csvFileName, csvResponse } from '$lib/csv';
import { m } from '$lib/paraglide/messages.js';

// Layout loads do not guard endpoints: this one checks the role itself.
export const GET: RequestHandler = async (event) => {
	requireRole(event, MANAGERS);
	const season = await consoleSeason();
	if (!season) error(404, { message: m.products_page_no_season() });
	return csvResponse(
		catalogueToCsv(await listCatalogue(getStore(), season.id)),
		csvFileName(season.name, 'season', 'catalogue')
	);
};
