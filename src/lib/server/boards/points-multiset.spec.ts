import { describe, expect, it } from 'vitest';
import { PointsMultiset } from './points-multiset';

function random(seed: number) {
	let state = seed;
	return () => {
		state = (state * 1103515245 + 12345) % 2147483648;
		return state / 2147483648;
	};
}

// Counted the slow way, over a plain list.
const naive = {
	above: (values: number[], p: number) => values.filter((v) => v > p).length,
	at: (values: number[], p: number) => values.filter((v) => v === p).length,
	distinctAbove: (values: number[], p: number) => new Set(values.filter((v) => v > p)).size
};

function expectSame(set: PointsMultiset, values: number[], probes: number[]) {
	expect(set.count).toBe(values.length);
	for (const p of probes) {
		expect(set.countAbove(p), `above ${p}`).toBe(naive.above(values, p));
		expect(set.countAt(p), `at ${p}`).toBe(naive.at(values, p));
		expect(set.distinctAbove(p), `distinct above ${p}`).toBe(naive.distinctAbove(values, p));
	}
}

describe('PointsMultiset', () => {
	it.each([
		{ values: [], p: 0, above: 0, at: 0, distinct: 0 },
		{ values: [5], p: 5, above: 0, at: 1, distinct: 0 },
		{ values: [5], p: 4, above: 1, at: 0, distinct: 1 },
		{ values: [3, 5, 5, 7], p: 3, above: 3, at: 1, distinct: 2 },
		{ values: [3, 5, 5, 7], p: 5, above: 1, at: 2, distinct: 1 },
		{ values: [7, 5, 3, 5], p: 0, above: 4, at: 0, distinct: 3 },
		{ values: [7, 5, 3, 5], p: 7, above: 0, at: 1, distinct: 0 }
	])('counts $values around $p', ({ values, p, above, at, distinct }) => {
		const set = new PointsMultiset(values);
		expect([set.countAbove(p), set.countAt(p), set.distinctAbove(p)]).toEqual([
			above,
			at,
			distinct
		]);
	});

	it('refuses to move a value it does not hold', () => {
		const set = new PointsMultiset([1, 2]);
		expect(set.move(3, 4)).toBe(false);
		expect(set.move(3, 3)).toBe(false);
		expect(set.move(2, 2)).toBe(true);
		expectSame(set, [1, 2], [0, 1, 2, 3, 4]);
	});

	it('counts like a plain list after random moves in, up, down and out', () => {
		const rng = random(13);
		const values = Array.from({ length: 200 }, () => 1 + Math.floor(rng() * 40));
		const set = new PointsMultiset(values);
		const probes = Array.from({ length: 45 }, (_, i) => i - 1);
		expectSame(set, values, probes);
		for (let step = 0; step < 2000; step++) {
			const kind = rng();
			const to = 1 + Math.floor(rng() * 60);
			if (kind < 0.1 || values.length === 0) {
				set.move(null, to);
				values.push(to);
			} else {
				const i = Math.floor(rng() * values.length);
				if (kind < 0.2) {
					expect(set.move(values[i], null)).toBe(true);
					values.splice(i, 1);
				} else {
					expect(set.move(values[i], to)).toBe(true);
					values[i] = to;
				}
			}
			if (step % 50 === 0) expectSame(set, values, probes.concat([50, 59, 60, 61]));
		}
		expectSame(set, values, probes.concat([50, 59, 60, 61]));
	});
});
