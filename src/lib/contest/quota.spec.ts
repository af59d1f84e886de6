import { describe, expect, it } from 'vitest';
import { attainment, elapsedShare, improvement, percent, rankByValue } from './quota';

describe('attainment', () => {
	it.each([
		[50, 100, 0.5],
		[150, 100, 1.5],
		[0, 100, 0],
		[-20, 100, -0.2],
		[50, 0, null],
		[50, -10, null],
		[50, null, null],
		[50, undefined, null]
	])('%i points of target %s → %s', (points, target, share) => {
		expect(attainment(points, target)).toBe(share);
	});
});

describe('improvement against last season’s pace', () => {
	it.each([
		// points now, last season's total, share of this season passed → change
		[60, 100, 0.5, 0.2],
		[50, 100, 0.5, 0],
		[25, 100, 0.5, -0.5],
		[0, 100, 1, -1],
		[10, null, 0.5, null],
		[10, 0, 0.5, null],
		[10, 100, 0, null]
	])('%i now, %s last season, %s passed → %s', (points, last, share, change) => {
		const value = improvement(points, last, share);
		if (change === null) expect(value).toBeNull();
		else expect(value).toBeCloseTo(change, 10);
	});
});

describe('elapsedShare', () => {
	it.each([
		[0, 100, -5, 0],
		[0, 100, 0, 0],
		[0, 100, 25, 0.25],
		[0, 100, 100, 1],
		[0, 100, 500, 1],
		[100, 100, 99, 0],
		[100, 100, 100, 1]
	])('season [%i, %i) at %i → %s', (from, to, now, share) => {
		expect(elapsedShare(from, to, now)).toBe(share);
	});
});

describe('rankByValue', () => {
	const people = [
		{ id: 1, name: 'Ann', points: 300, reachedAt: 5 }, // target 600 → 50 %
		{ id: 2, name: 'Bo', points: 100, reachedAt: 1 }, // target 100 → 100 %
		{ id: 3, name: 'Cy', points: 50, reachedAt: 2 }, // target 100 → 50 %, reached earlier
		{ id: 4, name: 'Di', points: 900, reachedAt: 3 }, // no target
		{ id: 5, name: 'Ed', points: 40, reachedAt: 4 } // target 0 → no target
	];
	const targets: Record<number, number | null> = { 1: 600, 2: 100, 3: 100, 4: null, 5: 0 };
	const byTarget = (p: (typeof people)[number]) => attainment(p.points, targets[p.id]);

	it.each([
		['competition', [1, 2, 2, null, null]],
		['dense', [1, 2, 2, null, null]]
	] as const)('%s: equal shares share a place, those without a target follow', (rule, ranks) => {
		const ranked = rankByValue(people, byTarget, rule);
		expect(ranked.map((r) => r.id)).toEqual([2, 3, 1, 4, 5]);
		expect(ranked.map((r) => r.rank)).toEqual(ranks);
		// the real points stay, the share is beside them
		expect(ranked.map((r) => [r.points, r.value])).toEqual([
			[100, 1],
			[50, 0.5],
			[300, 0.5],
			[900, null],
			[40, null]
		]);
	});

	it('competition leaves a gap after a tie, dense does not', () => {
		const four = [...people.slice(0, 3), { id: 6, name: 'Fa', points: 10, reachedAt: 9 }];
		const t: Record<number, number | null> = { ...targets, 6: 100 };
		const value = (p: (typeof four)[number]) => attainment(p.points, t[p.id]);
		expect(rankByValue(four, value, 'competition').map((r) => r.rank)).toEqual([1, 2, 2, 4]);
		expect(rankByValue(four, value, 'dense').map((r) => r.rank)).toEqual([1, 2, 2, 3]);
	});

	it('nobody with a value: everyone listed after, by points', () => {
		expect(rankByValue(people, () => null).map((r) => [r.id, r.rank])).toEqual([
			[4, null],
			[1, null],
			[2, null],
			[3, null],
			[5, null]
		]);
	});
});

describe('percent', () => {
	it.each([
		[1.234, 123],
		[0.005, 1],
		[0, 0],
		[-0.25, -25]
	])('%s → %i', (share, pct) => {
		expect(percent(share)).toBe(pct);
	});
});
