import { json } from '@sveltejs/kit';
import { getStore } from '$lib/server/db/store';
import { apiHandler, parseId, parseQuery } from '$lib/server/api/respond';
import { AppError } from '$lib/server/shared/errors';
import { leaderboardQuerySchema } from '$lib/server/api/schemas';
import { readBoardTop, readRankingPage, readStanding } from '$lib/server/boards/leaderboard';
import { readSeason } from '$lib/server/seasons/queries';

// The individual ranking is paged by cursor (`next` → `?after=`), read through the rank index:
// a page costs the same at rank 1 and at rank 100,000. Teams are few: one list.
export const GET = apiHandler(async ({ params, url }) => {
	const seasonId = parseId(params.id);
	const { scope, limit, after, around } = parseQuery(url, leaderboardQuerySchema);
	const store = getStore();
	// Drafts are hidden everywhere (the socket refuses them too) until they are published.
	const status = (await readSeason(store, seasonId))?.status;
	if (!status || status === 'draft') throw new AppError(404, 'not_found', `No season ${seasonId}`);
	const standing = around === undefined ? undefined : await readStanding(store, seasonId, around);
	if (scope === 'team') {
		const board = (await readBoardTop(store, seasonId, { top: 0, players: 0 }))!;
		return json({
			seasonId,
			version: board.version,
			scope,
			entries: board.teams.slice(0, limit),
			next: null
		});
	}
	const page = (await readRankingPage(store, seasonId, { after, limit }))!;
	return json({
		seasonId,
		version: page.version,
		scope,
		entries: page.entries,
		next: page.next,
		...(standing === undefined ? {} : { standing })
	});
});
