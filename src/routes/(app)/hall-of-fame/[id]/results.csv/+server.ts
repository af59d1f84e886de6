import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/auth/guards';
import { hallOfFameSeason, resultsCsv } from '$lib/server/boards/hall-of-fame';

// The frozen results of an ended season as a spreadsheet, for any signed-in user.
export const GET: RequestHandler = (event) => {
	requireUser(event);
	const id = Number(event.params.id);
	const found = Number.isInteger(id) && id > 0 ? hallOfFameSeason(getDb(), id) : null;
	if (!found) error(404, { message: 'This season has no results yet.' });
	const slug =
		found.season.name
			.toLowerCase()
			.replace(/[^a-z0-9]+/g, '-')
			.replace(/^-|-$/g, '') || `season-${id}`;
	return new Response(resultsCsv(found), {
		headers: {
			'Content-Type': 'text/csv; charset=utf-8',
			'Content-Disposition': `attachment; filename="${slug}-results.csv"`,
			'Cache-Control': 'private, no-store'
		}
	});
};
