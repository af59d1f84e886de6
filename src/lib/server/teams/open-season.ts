import { eq, sql } from 'drizzle-orm';
import { write, type Store, type StoreDb } from '$lib/server/db/store';
import { notifyLeaderboard } from '$lib/server/realtime/publish';
import { conflict, notFound } from '$lib/server/shared/errors';
import { m } from '../../paraglide/messages.js';

// Every change to a season's teams and members runs the same way: in one write (db/store.ts),
// only while the season is open, and, since the boards show team names and who is in which
// team, with the leaderboard version bumped and the boards told once it is committed. Through
// the store: a change made on one node is what every node's console and boards read.

/** The season, if its teams can still change (not after it ended: results are frozen). */
async function openSeason(tx: StoreDb, store: Store, seasonId: number) {
	const { season } = store.tables;
	const [s] = await tx.select().from(season).where(eq(season.id, seasonId));
	if (!s) throw notFound('not_found', m.teams_error_season_gone());
	if (s.status === 'ended' || s.status === 'archived')
		throw conflict('locked', m.teams_error_season_over());
	return s;
}

/** Runs `run` as a change to the season's teams; `boardChanged` says whether boards must hear of it. */
export async function changeTeams<T>(
	store: Store,
	seasonId: number,
	run: (tx: StoreDb) => Promise<T>,
	boardChanged: (out: T) => boolean = () => true
): Promise<T> {
	const { season } = store.tables;
	const result = await write(store, async (tx) => {
		await openSeason(tx, store, seasonId);
		const out = await run(tx);
		const bump = boardChanged(out);
		// The leaderboard version, as scoring/standings.ts `bumpVersion` moves it (synchronous).
		if (bump)
			await tx
				.update(season)
				.set({ version: sql`${season.version} + 1` })
				.where(eq(season.id, seasonId));
		return { out, bump };
	});
	if (result.bump) notifyLeaderboard(seasonId);
	return result.out;
}
