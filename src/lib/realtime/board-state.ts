import type {
	ActivityItem,
	LeaderboardDelta,
	LeaderboardEntry,
	LeaderboardPush,
	LeaderboardSnapshot,
	MyStanding
} from './events';

// How a client turns pushes into the board it shows (pure: the board page, the TV and tests
// share it). See docs/socket-protocol.md.

export type Applied =
	/** The board after the push. */
	| { board: LeaderboardSnapshot }
	/** Older than what the client has: keep the board (a feed item may still be new). */
	| { stale: true }
	/** A push was missed (or the delta does not fit what the client has): ask for a snapshot. */
	| { gap: true };

function rebuild(
	before: LeaderboardEntry[],
	changed: LeaderboardEntry[],
	order: number[]
): LeaderboardEntry[] | null {
	const rows = new Map(before.map((e) => [e.id, e]));
	for (const entry of changed) rows.set(entry.id, entry);
	const after: LeaderboardEntry[] = [];
	for (const id of order) {
		const entry = rows.get(id);
		if (!entry) return null;
		after.push(entry);
	}
	return after;
}

/** Applies a snapshot or a delta to the board a client holds. */
export function applyPush(current: LeaderboardSnapshot, push: LeaderboardPush): Applied {
	if (push.kind !== 'delta') {
		if (push.version < current.version) return { stale: true };
		const { activity: _activity, formats: _formats, ...board } = push;
		void _activity;
		void _formats;
		// A push for everyone carries no `me`: keep the viewer's own standing.
		return { board: { ...board, me: push.me === undefined ? current.me : push.me } };
	}
	if (push.version < current.version) return { stale: true };
	if (push.baseVersion > current.version) return { gap: true };
	const individual = rebuild(current.individual, push.individual, push.order);
	const teams = rebuild(current.teams, push.teams, push.teamOrder);
	if (!individual || !teams) return { gap: true };
	return {
		board: {
			seasonId: current.seasonId,
			version: push.version,
			individual,
			teams,
			players: push.players,
			me: current.me
		}
	};
}

/** New feed items first, without duplicates, at most `size`. */
export function mergeActivity(
	feed: ActivityItem[],
	items: ActivityItem[] | undefined,
	size: number
): { feed: ActivityItem[]; added: ActivityItem[] } {
	if (!items || items.length === 0) return { feed, added: [] };
	const known = new Set(feed.map((item) => item.id));
	const added = items.filter((item) => !known.has(item.id));
	if (added.length === 0) return { feed, added };
	return { feed: [...added].reverse().concat(feed).slice(0, size), added };
}

/**
 * Whether a delta may have changed a viewer's own rank, neighbours or gap, so that the client
 * asks for its standing again (the push itself only carries the top). `known` remembers the
 * ranking points last seen of the people who moved, so that someone already above the viewer
 * scoring again does not make every viewer below ask.
 */
export function standingMayHaveMoved(
	me: MyStanding,
	delta: LeaderboardDelta,
	known: Map<number, number>
): boolean {
	let moved = delta.reRanked === true;
	const near = new Set(me.neighbours.map((e) => e.id));
	const mine = me.rankingPoints;
	for (const [id, points] of delta.moved) {
		const before = known.get(id);
		known.set(id, points);
		if (id === me.entry.id || near.has(id) || points === mine) moved = true;
		// Unknown before: may have come from below. Crossing the viewer's points either way.
		else if (before === undefined ? points > mine : before > mine !== points > mine) moved = true;
	}
	if (known.size > 10_000) known.clear();
	return moved;
}
