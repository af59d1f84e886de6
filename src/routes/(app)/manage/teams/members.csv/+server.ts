import { error } from '@sveltejs/kit';
import * as z from 'zod';
import type { RequestHandler } from './$types';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { readSeason } from '$lib/server/seasons/queries';
import { membersCsv } from '$lib/server/teams/members';
import { csvFileName, csvResponse } from '$lib/csv';
import { m } from '$lib/paraglide/messages.js';

/** GET /manage/teams/members.csv?season=ID: the season's members, in the members file's format. */
export const GET: RequestHandler = async (event) => {
	requireRole(event, MANAGERS);
	const id = z.coerce.number().int().positive().safeParse(event.url.searchParams.get('season'));
	const season = id.success ? await readSeason(getStore(), id.data) : undefined;
	if (!season) error(404, { message: m.teams_no_such_season() });
	return csvResponse(
		await membersCsv(getStore(), season.id),
		csvFileName(season.name, 'season', 'members')
	);
};
