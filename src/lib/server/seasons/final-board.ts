import { eq } from 'drizzle-orm';
import type { Store, StoreDb } from '../db/store';
import { readLeaderboard } from '../boards/leaderboard';
import type { LeaderboardSnapshot } from '../../realtime/events';

// A season's end freezes its board as the results. Reading and ranking the board (about half of
// the end's block at 1,000 people, more with more people) happens before the end's write: on
// SQLite on the read thread (reads/worker.ts) when one runs, else through the store
// (`readFinalBoardOnStore`, which the read thread runs too); the end's write then takes that board only if nothing it was read
// from has changed since. Two counters cover everything the board reads: season.version (every
// transaction that changes a standing bumps it, as the pushes rely on) and season.roster_version
// (triggers, drizzle/0024: memberships, team moves, teams, members' names and first sign-in).
// The tie rule and what ranks (rankBy) bump season.version when edited.

/** A season's board as read at one moment, with the counters it was read at. */
export interface FinalBoard {
	seasonId: number;
	version: number;
	rosterVersion: number;
	board: LeaderboardSnapshot;
}

async function countersOn(db: StoreDb, store: Store, seasonId: number) {
	const { season } = store.tables;
	const [row] = await db
		.select({ version: season.version, rosterVersion: season.rosterVersion })
		.from(season)
		.where(eq(season.id, seasonId));
	return row;
}

/**
 * The board through the store (`readLeaderboard`, one snapshot with the version), with the
 * counters read before and after it: both counters only grow, so when neither moved between the
 * two reads and the board's version is the one read before, the board is of those counters.
 * Null when something moved meanwhile (the caller reads again) or for an unknown season.
 */
export async function readFinalBoardOnStore(
	store: Store,
	seasonId: number
): Promise<FinalBoard | null> {
	const before = await countersOn(store.db, store, seasonId);
	if (!before) return null;
	const board = await readLeaderboard(store, seasonId);
	const after = await countersOn(store.db, store, seasonId);
	if (!board || !after || board.version !== before.version) return null;
	if (after.version !== before.version || after.rosterVersion !== before.rosterVersion) return null;
	return { seasonId, ...before, board };
}

/** Whether a board read earlier is still the season's board, inside a store's write. */
export async function isStillCurrentInWrite(
	tx: StoreDb,
	store: Store,
	read: FinalBoard
): Promise<boolean> {
	const now = await countersOn(tx, store, read.seasonId);
	return (
		now !== undefined && now.version === read.version && now.rosterVersion === read.rosterVersion
	);
}
