import { describe, expect, it } from 'vitest';
import { rankChanges, type Placed } from './rank-changes';

const r = (...pairs: [number, number][]): Placed[] => pairs.map(([id, points]) => ({ id, points }));

describe('rankChanges', () => {
	it.each([
		{
			name: 'nothing moved',
			before: r([1, 30], [2, 20]),
			after: r([1, 35], [2, 20]),
			overtaken: [],
			lead: null
		},
		{
			name: 'one passes the one above: that one is overtaken, and the lead changes',
			before: r([1, 30], [2, 20]),
			after: r([2, 40], [1, 30]),
			overtaken: [{ userId: 1, byUserId: 2, rank: 2, previousRank: 1 }],
			lead: { leaderId: 2, previousLeaderId: 1 }
		},
		{
			name: 'a jump past two: both overtaken by the same person',
			before: r([1, 30], [2, 20], [3, 10]),
			after: r([3, 35], [1, 30], [2, 20]),
			overtaken: [
				{ userId: 1, byUserId: 3, rank: 2, previousRank: 1 },
				{ userId: 2, byUserId: 3, rank: 3, previousRank: 2 }
			],
			lead: { leaderId: 3, previousLeaderId: 1 }
		},
		{
			name: 'a newcomer above: counts as passing',
			before: r([1, 30], [2, 20]),
			after: r([1, 30], [9, 25], [2, 20]),
			overtaken: [{ userId: 2, byUserId: 9, rank: 3, previousRank: 2 }],
			lead: null
		},
		{
			name: 'people at 0 points are nobody to overtake',
			before: r([1, 0], [2, 0]),
			after: r([2, 5], [1, 0]),
			overtaken: [],
			lead: { leaderId: 2, previousLeaderId: 1 }
		},
		{
			name: 'a person who fell because someone was reversed is not overtaken by anyone below',
			before: r([1, 30], [2, 20], [3, 10]),
			after: r([2, 20], [3, 10], [1, 5]),
			overtaken: [],
			lead: { leaderId: 2, previousLeaderId: 1 }
		},
		{
			name: 'a first reading has no lead change',
			before: [],
			after: r([1, 5]),
			overtaken: [],
			lead: null
		}
	])('$name', ({ before, after, overtaken, lead }) => {
		expect(rankChanges(before, after)).toEqual({ overtaken, lead });
	});
});
