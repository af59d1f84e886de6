import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getStore } from '$lib/server/db/store';
import { requireUser } from '$lib/server/auth/guards';
import { hallOfFameSeason } from '$lib/server/boards/hall-of-fame';
import { resultsCsv } from '$lib/server/exports/season-csv';
import { csvFileName, csvResponse } from '$lib/csv';
import { m } from '$lib/paraglide/messages.js';

// The frozen results of an ended season as a spreadsheet, for any signed-in user.
export const GET: RequestHandler = async (event) => {
	requireUser(event);
	const id = Number(event.params.id);
	const found = Number.isInteger(id) && id > 0 ? await hallOfFameSeason(getStore(), id) : null;
	if (!found) error(404, { message: m.fame_no_results() });
	return csvResponse(resultsCsv(found), csvFileName(found.season.name, `season-${id}`, 'results'));
};
