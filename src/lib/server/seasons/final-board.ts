import { eq } from 'drizzle-orm';
import type { Queryable } from '../db';
import { season } from '../db/schema';
import { getLeaderboard } from '../boards/leaderboard';
import type { LeaderboardSnapshot } from '../../realtime/events';

// A season's end freezes its board as the results. Reading and ranking the board (about half of
// the end's block at 1,000 people, more with more people) can happen on the read thread
// (reads/worker.ts), on its own snapshot; the end's write transaction then takes that board only
// if nothing it was read from has changed since. Two counters cover everything the board reads:
// season.version (every transaction that changes a standing bumps it, as the pushes rely on)
// and season.roster_version (triggers, drizzle/0024: memberships, team moves, teams, members'
// names and first sign-in). The tie rule and what ranks (rankBy) bump season.version when edited.

/** A season's board as read at one moment, with the counters it was read at. */
export interface FinalBoard {
	seasonId: number;
	version: number;
	rosterVersion: number;
	board: LeaderboardSnapshot;
}

const counters = (db: Queryable, seasonId: number) =>
	db
		.select({ version: season.version, rosterVersion: season.rosterVersion })
		.from(season)
		.where(eq(season.id, seasonId))
		.get();

/** The board and its counters, from one snapshot (one transaction); null for an unknown season. */
export function readFinalBoard(db: Queryable, seasonId: number): FinalBoard | null {
	return db.transaction((tx) => {
		const at = counters(tx, seasonId);
		const board = at ? getLeaderboard(tx, seasonId) : null;
		return at && board ? { seasonId, ...at, board } : null;
	});
}

/** Whether a board read earlier is still the season's board: neither counter has moved. */
export function isStillCurrent(tx: Queryable, read: FinalBoard): boolean {
	const now = counters(tx, read.seasonId);
	return (
		now !== undefined && now.version === read.version && now.rosterVersion === read.rosterVersion
	);
}
