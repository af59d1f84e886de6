import { describe, expect, it } from 'vitest';
import { applyPush, mergeActivity, standingMayHaveMoved } from './board-state';
import type {
	ActivityItem,
	LeaderboardDelta,
	LeaderboardEntry,
	LeaderboardSnapshot,
	MyStanding
} from './events';

const row = (id: number, rank: number, points: number): LeaderboardEntry => ({
	rank,
	id,
	name: `P${id}`,
	points,
	provisionalPoints: 0,
	salesCount: 1
});
const team = (id: number, rank: number, points: number) => ({
	...row(id, rank, points),
	name: `T${id}`
});

const board: LeaderboardSnapshot = {
	seasonId: 1,
	version: 10,
	individual: [row(1, 1, 30), row(2, 2, 20), row(3, 3, 10)],
	teams: [team(7, 1, 40), team(8, 2, 20)],
	players: 5
};

const delta = (over: Partial<LeaderboardDelta> = {}): LeaderboardDelta => ({
	kind: 'delta',
	seasonId: 1,
	version: 11,
	baseVersion: 10,
	individual: [row(3, 1, 35), row(1, 2, 30), row(2, 3, 20)],
	order: [3, 1, 2],
	teams: [],
	teamOrder: [7, 8],
	players: 5,
	moved: [[3, 35]],
	activity: [],
	...over
});

describe('applyPush', () => {
	it('applies a delta on its base: changed rows replaced, order from the push', () => {
		const applied = applyPush(
			board,
			delta({ individual: [row(3, 1, 35), row(1, 2, 30), row(2, 3, 20)] })
		);
		expect(applied).toEqual({
			board: {
				seasonId: 1,
				version: 11,
				individual: [row(3, 1, 35), row(1, 2, 30), row(2, 3, 20)],
				teams: board.teams,
				players: 5,
				me: undefined
			}
		});
	});

	it('keeps rows the delta does not send and drops rows that left the top', () => {
		const applied = applyPush(board, delta({ individual: [row(9, 3, 15)], order: [1, 2, 9] }));
		expect('board' in applied && applied.board.individual.map((e) => e.id)).toEqual([1, 2, 9]);
	});

	it('applies a delta whose base is older than the board (the ack was newer than the last push)', () => {
		const applied = applyPush(board, delta({ baseVersion: 8, version: 12 }));
		expect('board' in applied && applied.board.version).toBe(12);
	});

	it('reports a gap when the base is newer than the board, or a row of the order is unknown', () => {
		expect(applyPush(board, delta({ baseVersion: 11, version: 12 }))).toEqual({ gap: true });
		expect(applyPush(board, delta({ individual: [], order: [1, 2, 42] }))).toEqual({ gap: true });
	});

	it('ignores an older push and takes any newer snapshot whole', () => {
		expect(applyPush(board, delta({ version: 9, baseVersion: 8 }))).toEqual({ stale: true });
		const snapshot: LeaderboardSnapshot = {
			...board,
			kind: 'snapshot',
			version: 15,
			individual: []
		};
		expect(applyPush(board, snapshot)).toEqual({
			board: { ...snapshot, me: undefined }
		});
	});
});

describe('mergeActivity', () => {
	const item = (id: string): ActivityItem => ({
		id,
		seasonId: 1,
		kind: 'sale',
		userId: 1,
		userName: 'P1',
		teamName: 'T',
		summary: '',
		points: 1,
		provisional: false,
		at: 0
	});
	it('puts new items first (newest first), without duplicates, capped', () => {
		const { feed, added } = mergeActivity([item('a')], [item('a'), item('b'), item('c')], 3);
		expect(added.map((i) => i.id)).toEqual(['b', 'c']);
		expect(feed.map((i) => i.id)).toEqual(['c', 'b', 'a']);
		expect(mergeActivity(feed, [item('d')], 2).feed.map((i) => i.id)).toEqual(['d', 'c']);
	});
});

describe('standingMayHaveMoved', () => {
	const me: MyStanding = {
		entry: row(50, 60, 10),
		neighbours: [row(49, 59, 11), row(50, 60, 10), row(51, 61, 9)],
		gap: { nextRank: 59, nextName: 'P49', pointsNeeded: 2 },
		rankingPoints: 10
	};
	it('asks when the viewer, a neighbour or someone at their points moved, or everyone may have', () => {
		expect(standingMayHaveMoved(me, delta({ moved: [[50, 12]] }), new Map())).toBe(true);
		expect(standingMayHaveMoved(me, delta({ moved: [[51, 9]] }), new Map())).toBe(true);
		expect(standingMayHaveMoved(me, delta({ moved: [[77, 10]] }), new Map())).toBe(true);
		expect(standingMayHaveMoved(me, delta({ moved: [], reRanked: true }), new Map())).toBe(true);
	});
	it('asks when someone crosses the viewer, not when someone stays above or below', () => {
		const known = new Map<number, number>();
		// Unknown and above: may have come from below.
		expect(standingMayHaveMoved(me, delta({ moved: [[3, 35]] }), known)).toBe(true);
		// Known above, still above: the viewer's rank did not change.
		expect(standingMayHaveMoved(me, delta({ moved: [[3, 40]] }), known)).toBe(false);
		// Below and staying below.
		expect(standingMayHaveMoved(me, delta({ moved: [[90, 2]] }), known)).toBe(false);
		expect(standingMayHaveMoved(me, delta({ moved: [[90, 8]] }), known)).toBe(false);
		// From below to above: passed the viewer.
		expect(standingMayHaveMoved(me, delta({ moved: [[90, 14]] }), known)).toBe(true);
		// From above to below (a reversal).
		expect(standingMayHaveMoved(me, delta({ moved: [[3, 1]] }), known)).toBe(true);
	});
});
