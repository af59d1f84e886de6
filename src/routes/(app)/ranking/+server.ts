import { error, json } from '@sveltejs/kit';
import * as z from 'zod';
import type { RequestHandler } from './$types';
import { getStore } from '$lib/server/db/store';
import { requireUser } from '$lib/server/auth/guards';
import { readRankingPage } from '$lib/server/boards/leaderboard';
import { readMayWatch } from '$lib/server/realtime/access';
import { readSeason } from '$lib/server/seasons/queries';
import { AppError } from '$lib/server/shared/errors';
import { m } from '$lib/paraglide/messages.js';

const query = z.object({
	season: z.coerce.number().int().positive(),
	after: z.string().min(1).max(200).optional(),
	/** Without `after`: rows of the top to leave out (the board already shows them). */
	skip: z.coerce.number().int().min(0).max(1000).default(0)
});

const PAGE = 50;

/** The board's "show more": the next page of the ranking, for whoever may watch the season. */
export const GET: RequestHandler = async (event) => {
	const user = requireUser(event);
	const parsed = query.safeParse(Object.fromEntries(event.url.searchParams));
	if (!parsed.success) error(400, 'season (and optionally after) are needed');
	const store = getStore();
	const { season: seasonId, after, skip } = parsed.data;
	const season = await readSeason(store, seasonId);
	if (!season || season.status === 'draft' || !(await readMayWatch(store, user, seasonId)))
		error(404, m.board_no_season_id({ id: seasonId }));
	try {
		const page = (await readRankingPage(store, seasonId, {
			after,
			limit: after ? PAGE : skip + PAGE
		}))!;
		return json({ ...page, entries: after ? page.entries : page.entries.slice(skip) });
	} catch (e) {
		if (e instanceof AppError) error(e.status, e.message);
		throw e;
	}
};
