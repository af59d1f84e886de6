import { describe, expect, it } from 'vitest';
import { podiumEntries } from './podium';
import type { LeaderboardEntry } from '$lib/realtime/events';

const entry = (
	id: number,
	rank: number,
	points: number,
	provisionalPoints = 0
): LeaderboardEntry => ({
	id,
	rank,
	name: `P${id}`,
	points,
	provisionalPoints,
	salesCount: points > 0 ? 1 : 0
});

describe('podiumEntries', () => {
	it('gives no medal when nobody has scored (everyone at 0 shares rank 1)', () => {
		expect(podiumEntries([entry(1, 1, 0), entry(2, 1, 0), entry(3, 1, 0)])).toEqual([]);
	});

	it('puts only the people with points on the podium', () => {
		const board = [entry(1, 1, 50), entry(2, 2, 0, 20), entry(3, 3, 0), entry(4, 3, 0)];
		expect(podiumEntries(board).map((e) => e.id)).toEqual([1, 2]);
	});

	it('takes the top three', () => {
		const board = [1, 2, 3, 4].map((id) => entry(id, id, 100 - id));
		expect(podiumEntries(board).map((e) => e.id)).toEqual([1, 2, 3]);
	});
});
