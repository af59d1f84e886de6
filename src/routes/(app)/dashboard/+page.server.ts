import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { getStore } from '$lib/server/db/store';
import { m } from '$lib/paraglide/messages.js';
import { EXECUTIVES, requireRole } from '$lib/server/auth/guards';
import { systemClock } from '$lib/server/shared/clock';
import { loadDashboardOffThread } from '$lib/server/dashboard/figures';
import { dashboardSeasons } from '$lib/server/dashboard/queries';
import { readBoardTop } from '$lib/server/boards/leaderboard';

export const load: PageServerLoad = async (event) => {
	requireRole(event, EXECUTIVES, m.dash_for_executives());
	const db = getDb();
	const seasons = dashboardSeasons(db);
	const dashboard = await loadDashboardOffThread(db, event.url.searchParams, systemClock);
	if (!dashboard && event.url.searchParams.has('season'))
		error(404, { message: m.dash_no_such_season() });
	// The live board's snapshot seeds the socket subscription that keeps the page fresh: only
	// its version is used, so the top of the board, never the whole ranking.
	const board =
		dashboard?.season.status === 'live'
			? await readBoardTop(getStore(), dashboard.season.id)
			: null;
	return { seasons, dashboard, board };
};
