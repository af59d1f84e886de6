import { eq } from 'drizzle-orm';
import type { Db, Queryable } from '$lib/server/db';
import { season } from '$lib/server/db/schema';
import { bumpVersion } from '$lib/server/scoring/standings';
import { notifyLeaderboard } from '$lib/server/realtime/publish';
import { conflict, notFound } from '$lib/server/shared/errors';
import { m } from '../../paraglide/messages.js';

// Every change to a season's teams and members runs the same way: in one immediate transaction,
// only while the season is open, and, since the boards show team names and who is in which
// team, with the leaderboard version bumped and the boards told once it is committed.

/** The season, if its teams can still change (not after it ended: results are frozen). */
function openSeason(tx: Queryable, seasonId: number) {
	const s = tx.select().from(season).where(eq(season.id, seasonId)).get();
	if (!s) throw notFound('not_found', m.teams_error_season_gone());
	if (s.status === 'ended' || s.status === 'archived')
		throw conflict('locked', m.teams_error_season_over());
	return s;
}

/** Runs `run` as a change to the season's teams; `boardChanged` says whether boards must hear of it. */
export function changeTeams<T>(
	db: Db,
	seasonId: number,
	run: (tx: Queryable) => T,
	boardChanged: (out: T) => boolean = () => true
): T {
	const result = db.transaction(
		(tx) => {
			openSeason(tx, seasonId);
			const out = run(tx);
			const bump = boardChanged(out);
			if (bump) bumpVersion(tx, seasonId);
			return { out, bump };
		},
		{ behavior: 'immediate' }
	);
	if (result.bump) notifyLeaderboard(seasonId);
	return result.out;
}
