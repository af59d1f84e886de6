import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getDb } from '$lib/server/db';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { consoleSeason } from '$lib/server/seasons/choice';
import { listCatalogue } from '$lib/server/catalogue/products';
import { catalogueToCsv } from '$lib/server/catalogue/products-csv';

// Layout loads do not guard endpoints: this one checks the role itself.
export const GET: RequestHandler = (event) => {
	requireRole(event, MANAGERS);
	const db = getDb();
	const season = consoleSeason();
	if (!season) error(404, { message: 'No season is live.' });
	const slug =
		season.name
			.toLowerCase()
			.replace(/[^a-z0-9]+/g, '-')
			.replace(/^-|-$/g, '') || 'season';
	return new Response(catalogueToCsv(listCatalogue(db, season.id)), {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="catalogue-${slug}.csv"`,
			'cache-control': 'no-store'
		}
	});
};
