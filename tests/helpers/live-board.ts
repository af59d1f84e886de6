// A board watched over a socket as the app's client keeps it, and the API's leaderboard to compare
// it with: the two-node tests (SQLite's and PostgreSQL's) check that every node's boards end
// equal to the API after sales taken by either node.
import { expect } from 'vitest';
import { applyPush } from '../../src/lib/realtime/board-state';
import type { LeaderboardPush, LeaderboardSnapshot, WatchAck } from '../../src/lib/realtime/events';
import type { ClientSocket } from './seeded';

/**
 * Watches `seasonId` on a connected socket and keeps its board as board-state.ts does: the
 * watch's snapshot, each push applied, a snapshot asked for on a version gap. Counts the pushes
 * and gaps, and collects the feed items' ids.
 */
export async function watchBoard(socket: ClientSocket, seasonId: number) {
	const ack = (await socket.timeout(10_000).emitWithAck('watch', { seasonId })) as WatchAck;
	if ('error' in ack) throw new Error(ack.error.code);
	const state = { board: ack as LeaderboardSnapshot, pushes: 0, gaps: 0, feed: [] as unknown[] };
	socket.on('leaderboard', async (push: LeaderboardPush) => {
		state.pushes++;
		for (const item of push.activity ?? []) state.feed.push(item.id);
		const applied = applyPush(state.board, push);
		if ('board' in applied) state.board = applied.board;
		if ('gap' in applied) {
			state.gaps++;
			const fresh = await socket.emitWithAck('snapshot', { seasonId });
			if (!('error' in fresh) && fresh.version >= state.board.version)
				state.board = fresh as LeaderboardSnapshot;
		}
	});
	return state;
}

type Entry = { rank: number; id: number; points: number; provisionalPoints: number };

/** GET …/leaderboard (individual, the first 100) with an API token. */
export async function leaderboardOf(url: string, token: string, seasonId: number) {
	const response = await fetch(
		`${url}/api/v1/seasons/${seasonId}/leaderboard?scope=individual&limit=100`,
		{ headers: { authorization: `Bearer ${token}` } }
	);
	expect(response.status).toBe(200);
	return (await response.json()) as { version: number; entries: Entry[] };
}

/** What a board and the API must agree on, row by row. */
export const rankRows = (entries: Entry[]) =>
	entries.map(({ rank, id, points, provisionalPoints }) => ({
		rank,
		id,
		points,
		provisionalPoints
	}));
