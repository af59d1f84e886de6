import { describe, expect, it } from 'vitest';
import { DEFAULT_TIERS, progress, tierFor, type Tier } from './tiers';

describe('DEFAULT_TIERS', () => {
	it('climbs from Bronze at 0 to Platinum', () => {
		expect(DEFAULT_TIERS.map((tier) => [tier.name, tier.minPoints])).toEqual([
			['Bronze', 0],
			['Silver', 500],
			['Gold', 1500],
			['Platinum', 4000]
		]);
	});
});

describe('tierFor', () => {
	it.each([
		[-1, null],
		[0, 'Bronze'],
		[499, 'Bronze'],
		[500, 'Silver'],
		[1499, 'Silver'],
		[1500, 'Gold'],
		[3999, 'Gold'],
		[4000, 'Platinum'],
		[1_000_000, 'Platinum']
	])('%i points → %s', (points, name) => {
		expect(tierFor(points)?.name ?? null).toBe(name);
	});

	it('accepts tiers in any order', () => {
		const shuffled = [DEFAULT_TIERS[2], DEFAULT_TIERS[0], DEFAULT_TIERS[3], DEFAULT_TIERS[1]];
		expect(tierFor(1500, shuffled)?.name).toBe('Gold');
	});

	it('has no tier without tiers', () => {
		expect(tierFor(100, [])).toBeNull();
	});
});

describe('progress', () => {
	it.each([
		['at the first threshold', 0, 'Bronze', 'Silver', 500, 0],
		['half way to Silver', 250, 'Bronze', 'Silver', 250, 0.5],
		['one point short', 499, 'Bronze', 'Silver', 1, 0.998],
		['exactly on Silver', 500, 'Silver', 'Gold', 1000, 0],
		['a quarter of the way to Platinum', 2125, 'Gold', 'Platinum', 1875, 0.25]
	])('%s (%i points)', (_, points, current, next, pointsToNext, fraction) => {
		const result = progress(points);
		expect(result.current?.name).toBe(current);
		expect(result.next?.name).toBe(next);
		expect(result.pointsToNext).toBe(pointsToNext);
		expect(result.fraction).toBeCloseTo(fraction, 10);
	});

	it.each([4000, 9000])('at or above the last tier (%i points)', (points) => {
		expect(progress(points)).toEqual({
			current: DEFAULT_TIERS[3],
			next: null,
			pointsToNext: null,
			fraction: 1
		});
	});

	const fromRookie: Tier[] = [
		{ name: 'Rookie', minPoints: 100 },
		{ name: 'Pro', minPoints: 300 }
	];

	it.each([
		['below the first tier, counted from 0', 40, 60, 0.4],
		['at 0', 0, 100, 0],
		['negative points (after a reversal)', -20, 120, 0]
	])('%s', (_, points, pointsToNext, fraction) => {
		expect(progress(points, fromRookie)).toEqual({
			current: null,
			next: fromRookie[0],
			pointsToNext,
			fraction
		});
	});

	it('without tiers there is nothing to reach', () => {
		expect(progress(10, [])).toEqual({
			current: null,
			next: null,
			pointsToNext: null,
			fraction: 0
		});
	});
});
