import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { m } from '$lib/paraglide/messages.js';
import { EXECUTIVES, requireRole } from '$lib/server/auth/guards';
import { systemClock } from '$lib/server/shared/clock';
import { readDashboard, readDashboardSeasons } from '$lib/server/dashboard/figures';
import { readBoardTop } from '$lib/server/boards/leaderboard';

export const load: PageServerLoad = async (event) => {
	requireRole(event, EXECUTIVES, m.dash_for_executives());
	const store = getStore();
	const seasons = await readDashboardSeasons(store);
	const dashboard = await readDashboard(store, event.url.searchParams, systemClock);
	if (!dashboard && event.url.searchParams.has('season'))
		error(404, { message: m.dash_no_such_season() });
	// The live board's snapshot seeds the socket subscription that keeps the page fresh: only
	// its version is used, so the top of the board, never the whole ranking.
	const board =
		dashboard?.season.status === 'live' ? await readBoardTop(store, dashboard.season.id) : null;
	return { seasons, dashboard, board };
};
