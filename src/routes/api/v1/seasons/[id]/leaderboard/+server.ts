import { json } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { apiHandler, parseId, parseQuery } from '$lib/server/api/respond';
import { AppError } from '$lib/server/shared/errors';
import { leaderboardQuerySchema } from '$lib/server/api/schemas';
import { getBoardTop, getRankingPage, getStanding } from '$lib/server/boards/leaderboard';
import { getSeason } from '$lib/server/seasons/queries';

// The individual ranking is paged by cursor (`next` → `?after=`), read through the rank index:
// a page costs the same at rank 1 and at rank 100,000. Teams are few: one list.
export const GET = apiHandler(({ params, url }) => {
	const seasonId = parseId(params.id);
	const { scope, limit, after, around } = parseQuery(url, leaderboardQuerySchema);
	const db = getDb();
	// Drafts are hidden everywhere (the socket refuses them too) until they are published.
	const status = getSeason(db, seasonId)?.status;
	if (!status || status === 'draft') throw new AppError(404, 'not_found', `No season ${seasonId}`);
	const standing = around === undefined ? undefined : getStanding(db, seasonId, around);
	if (scope === 'team') {
		const board = getBoardTop(db, seasonId, { top: 0, players: 0 })!;
		return json({
			seasonId,
			version: board.version,
			scope,
			entries: board.teams.slice(0, limit),
			next: null
		});
	}
	const page = getRankingPage(db, seasonId, { after, limit })!;
	return json({
		seasonId,
		version: page.version,
		scope,
		entries: page.entries,
		next: page.next,
		...(standing === undefined ? {} : { standing })
	});
});
