import { describe, expect, it } from 'vitest';
import { backoff } from './delivery';

describe('backoff', () => {
	it.each([
		[1, 1000],
		[2, 5000],
		[3, 25000],
		[5, 625000]
	])('attempt %i waits about %i ms, spread ±25 %%', (attempt, base) => {
		expect(backoff(attempt, () => 0)).toBe(base * 0.75);
		expect(backoff(attempt, () => 0.5)).toBe(base);
		expect(backoff(attempt, () => 0.999999)).toBeLessThanOrEqual(base * 1.25);
		expect(backoff(attempt, () => 0.999999)).toBeGreaterThan(base * 1.24);
	});

	it('spreads deliveries that failed together', () => {
		const waits = new Set(Array.from({ length: 20 }, () => backoff(3)));
		expect(waits.size).toBeGreaterThan(1);
	});
});
