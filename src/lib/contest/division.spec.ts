import { describe, expect, it } from 'vitest';
import { placeByLastPlace, placeByTier, seasonEndMoves, type DivisionOutcome } from './division';
import { DEFAULT_TIERS } from './tiers';

// Gold (1) / Silver (2) / Bronze (3), ids 10 / 20 / 30, given out of order on purpose.
const THREE = [
	{ id: 30, position: 3 },
	{ id: 10, position: 1 },
	{ id: 20, position: 2 }
];

describe('placeByTier', () => {
	it.each([
		['Bronze level (0–499) → bottom division', 120, 30],
		['Silver level → the one above', 500, 20],
		['Gold level → the top', 1500, 10],
		['Platinum, above the top division’s share → the top', 9000, 10],
		['below the first level → bottom', -5, 30],
		['new (no last season) → bottom', null, 30]
	])('%s', (_, points, division) => {
		expect(placeByTier([{ id: 1, points }], THREE, DEFAULT_TIERS).get(1)).toBe(division);
	});

	it('with one division everyone plays in it', () => {
		const placed = placeByTier(
			[
				{ id: 1, points: 9000 },
				{ id: 2, points: 0 }
			],
			[{ id: 7, position: 1 }],
			DEFAULT_TIERS
		);
		expect([...placed.values()]).toEqual([7, 7]);
	});

	it('places nobody without divisions', () => {
		expect(placeByTier([{ id: 1, points: 5 }], [], DEFAULT_TIERS).size).toBe(0);
	});
});

describe('placeByLastPlace', () => {
	const people = (n: number) =>
		Array.from({ length: n }, (_, i) => ({ id: i + 1, rank: i + 1, name: `P${i + 1}` }));

	it.each([
		// people, sizes of Gold/Silver/Bronze: the upper divisions take the extra person
		[9, [3, 3, 3]],
		[10, [4, 3, 3]],
		[11, [4, 4, 3]],
		[2, [1, 1, 0]],
		[0, [0, 0, 0]]
	])('%i ranked people → %j', (n, sizes) => {
		const placed = placeByLastPlace(people(n), THREE);
		expect([10, 20, 30].map((d) => [...placed.values()].filter((x) => x === d).length)).toEqual(
			sizes
		);
		// best places at the top
		if (n > 0) expect(placed.get(1)).toBe(10);
	});

	it('shared places keep their order by name; new people start at the bottom', () => {
		const placed = placeByLastPlace(
			[
				{ id: 1, rank: 1, name: 'Zoe' },
				{ id: 2, rank: 1, name: 'Adam' },
				{ id: 3, rank: 3, name: 'Kim' },
				{ id: 4, rank: null, name: 'New' }
			],
			[
				{ id: 10, position: 1 },
				{ id: 20, position: 2 }
			]
		);
		expect(Object.fromEntries(placed)).toEqual({ 2: 10, 1: 10, 3: 20, 4: 20 });
	});
});

describe('seasonEndMoves', () => {
	const division = (
		id: number,
		position: number,
		promote: number,
		relegate: number,
		points: number[]
	): DivisionOutcome => ({
		id,
		position,
		promote,
		relegate,
		// ids: division id * 10 + place (ranked as shown: ties already broken by the tie-breaker)
		ranked: points.map((p, i) => ({ id: id * 10 + i + 1, points: p }))
	});
	const moved = (divisions: DivisionOutcome[]) =>
		Object.fromEntries([...seasonEndMoves(divisions)].map(([id, m]) => [id, m.move]));

	it.each<[string, DivisionOutcome[], Record<number, string>]>([
		[
			'top 1 up and bottom 1 down from the middle; none up from the top, none down from the bottom',
			[
				division(1, 1, 1, 1, [50, 40, 30]),
				division(2, 2, 1, 1, [60, 20, 10]),
				division(3, 3, 1, 1, [90, 5])
			],
			{ 11: 'stay', 12: 'stay', 13: 'down', 21: 'up', 22: 'stay', 23: 'down', 31: 'up', 32: 'stay' }
		],
		[
			'a tie at the cut: the tie-breaker’s order decides, exactly `promote` move up',
			[division(1, 1, 0, 0, [100]), division(2, 2, 1, 0, [40, 40, 10])],
			{ 11: 'stay', 21: 'up', 22: 'stay', 23: 'stay' }
		],
		[
			'a tie at the bottom cut: exactly `relegate` move down, the later to reach the score',
			[division(1, 1, 0, 1, [30, 10, 10]), division(2, 2, 0, 0, [5])],
			{ 11: 'stay', 12: 'stay', 13: 'down', 21: 'stay' }
		],
		[
			'nobody moves up without points',
			[division(1, 1, 0, 0, [0]), division(2, 2, 2, 0, [15, 0, 0])],
			{ 11: 'stay', 21: 'up', 22: 'stay', 23: 'stay' }
		],
		[
			'a division smaller than promote + relegate: promotion first, the rest relegated',
			[division(1, 1, 0, 0, [9]), division(2, 2, 2, 2, [30, 20, 10]), division(3, 3, 0, 0, [1])],
			{ 11: 'stay', 21: 'up', 22: 'up', 23: 'down', 31: 'stay' }
		],
		[
			'a lone member of a middle division is promoted, not also relegated',
			[division(1, 1, 0, 0, [9]), division(2, 2, 1, 1, [4]), division(3, 3, 0, 0, [1])],
			{ 11: 'stay', 21: 'up', 31: 'stay' }
		],
		[
			'an empty division moves nobody',
			[division(1, 1, 1, 1, []), division(2, 2, 1, 1, [3])],
			{ 21: 'up' }
		],
		[
			'a single division: nobody moves',
			[division(1, 1, 3, 3, [9, 8, 7])],
			{ 11: 'stay', 12: 'stay', 13: 'stay' }
		]
	])('%s', (_, divisions, expected) => {
		expect(moved(divisions)).toEqual(expected);
	});

	it('names the division one up or one down', () => {
		const moves = seasonEndMoves([
			division(3, 3, 1, 0, [5, 1]),
			division(1, 1, 0, 1, [9, 2]),
			division(2, 2, 1, 1, [7, 3])
		]);
		expect(moves.get(31)).toEqual({ divisionId: 2, move: 'up' });
		expect(moves.get(12)).toEqual({ divisionId: 2, move: 'down' });
		expect(moves.get(21)).toEqual({ divisionId: 1, move: 'up' });
		expect(moves.get(22)).toEqual({ divisionId: 3, move: 'down' });
	});
});
