import { json } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { apiHandler, parseId, parseQuery } from '$lib/server/api/respond';
import { AppError } from '$lib/server/shared/errors';
import { leaderboardQuerySchema } from '$lib/server/api/schemas';
import { getLeaderboard } from '$lib/server/boards/leaderboard';
import { getSeason } from '$lib/server/seasons/queries';

export const GET = apiHandler(({ params, url }) => {
	const seasonId = parseId(params.id);
	const { scope, limit } = parseQuery(url, leaderboardQuerySchema);
	const db = getDb();
	// Drafts are hidden everywhere (the socket refuses them too) until they are published.
	const board = getSeason(db, seasonId)?.status === 'draft' ? null : getLeaderboard(db, seasonId);
	if (!board) throw new AppError(404, 'not_found', `No season ${seasonId}`);
	const rows = scope === 'team' ? board.teams : board.individual;
	return json({ seasonId, version: board.version, scope, entries: rows.slice(0, limit) });
});
