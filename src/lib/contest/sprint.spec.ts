import { describe, expect, it } from 'vitest';
import { crossingsOf, firstToCross, progressOf, sprintPhase, type TimedTotal } from './sprint';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A subject's entries (instant, amount) within [from, to), in time order, as the ledger gives them. */
const timed = (
	entries: readonly (readonly [number, number])[],
	id = 1,
	from = 0,
	to = 1000
): TimedTotal[] =>
	entries
		.filter(([at]) => at >= from && at < to)
		.map(([at, confirmed]) => ({ id, at, confirmed, provisional: 0 }))
		.sort((a, b) => a.at - b.at);

/** When a subject's entries first took it to the target (null: never). */
const crossingAt = (entries: readonly (readonly [number, number])[], target: number) =>
	crossingsOf(timed(entries), 0, target, 'confirmed')[0]?.reachedAt ?? null;

/**
 * The definition, as the server decided it before crossingsOf: bisection over the measure's
 * value up to each instant (one sum of the period per step).
 */
function bisected(entries: readonly (readonly [number, number])[], target: number, to: number) {
	const valueAt = (t: number) =>
		entries.filter(([at]) => at >= 0 && at < t).reduce((sum, [, v]) => sum + v, 0);
	if (to <= 0 || valueAt(to) < target) return null;
	if (valueAt(0) >= target) return { at: 0, value: valueAt(1) };
	let lo = 0;
	let hi = to;
	while (hi - lo > 1) {
		const mid = lo + Math.floor((hi - lo) / 2);
		if (valueAt(mid) >= target) hi = mid;
		else lo = mid;
	}
	return { at: hi - 1, value: valueAt(hi) };
}

describe('crossingsOf', () => {
	it.each([
		['nobody reaches the target', [[10, 100]], 500, null],
		[
			'one entry crosses',
			[
				[10, 300],
				[77, 250]
			],
			500,
			77
		],
		[
			'exactly the target counts',
			[
				[5, 200],
				[9, 300]
			],
			500,
			9
		],
		[
			'the crossing entry, not a later one',
			[
				[1, 499],
				[2, 1],
				[3, 900]
			],
			500,
			2
		],
		['a start exactly on the target at the first instant', [[0, 500]], 500, 0],
		[
			'entries after the window do not count',
			[
				[10, 100],
				[2000, 900]
			],
			500,
			null
		]
	] as const)('%s', (_, entries, target, at) => {
		expect(crossingAt(entries, target)).toBe(at);
	});

	it('a late confirmation or reversal moves the crossing: it is decided again', () => {
		const before: [number, number][] = [
			[100, 300],
			[200, 300],
			[300, 300]
		];
		expect(crossingAt(before, 500)).toBe(200);
		// The sale at 200 is reversed: the measure crosses at 300 instead.
		expect(crossingAt([before[0], before[2]], 500)).toBe(300);
	});

	it('counts every entry of the crossing instant in the value, per subject', () => {
		const entries: TimedTotal[] = [
			{ id: 1, at: 5, confirmed: 300, provisional: 0 },
			{ id: 2, at: 5, confirmed: 100, provisional: 0 },
			{ id: 1, at: 7, confirmed: 150, provisional: 100 },
			{ id: 1, at: 7, confirmed: 100, provisional: 0 },
			{ id: 2, at: 8, confirmed: 450, provisional: 0 },
			{ id: 1, at: 9, confirmed: 900, provisional: 0 }
		];
		expect(crossingsOf(entries, 0, 500, 'confirmed')).toEqual([
			{ id: 1, reachedAt: 7, value: 550 },
			{ id: 2, reachedAt: 8, value: 550 }
		]);
		// Counting provisional points too, the first subject crosses at the same entry with more.
		expect(crossingsOf(entries, 0, 500, 'total')[0]).toEqual({ id: 1, reachedAt: 7, value: 650 });
	});

	it('a target of 0 is reached at the start by anyone with entries', () => {
		const entries: TimedTotal[] = [
			{ id: 1, at: 0, confirmed: 40, provisional: 0 },
			{ id: 2, at: 30, confirmed: 10, provisional: 0 }
		];
		expect(crossingsOf(entries, 0, 0, 'confirmed')).toEqual([
			{ id: 1, reachedAt: 0, value: 40 },
			{ id: 2, reachedAt: 0, value: 0 }
		]);
	});

	it('finds what bisection over the running sum finds, for any growing measure', () => {
		let seed = 7;
		const random = (n: number) => {
			seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
			return seed % n;
		};
		for (let round = 0; round < 300; round += 1) {
			const entries = Array.from(
				{ length: 1 + random(12) },
				() => [random(200), 1 + random(120)] as const
			);
			const target = 1 + random(600);
			const found = crossingsOf(timed(entries, 1, 0, 150), 0, target, 'confirmed')[0];
			const expected = bisected(entries, target, 150);
			expect(found ? { at: found.reachedAt, value: found.value } : null).toEqual(expected);
		}
	});
});

describe('firstToCross', () => {
	it.each([
		['nobody', [], null],
		[
			'the earliest wins',
			[
				{ id: 2, reachedAt: 50, value: 500 },
				{ id: 1, reachedAt: 60, value: 900 }
			],
			2
		],
		[
			'same instant: the bigger value',
			[
				{ id: 1, reachedAt: 50, value: 500 },
				{ id: 2, reachedAt: 50, value: 550 }
			],
			2
		],
		[
			'same instant and value: the lower id',
			[
				{ id: 9, reachedAt: 50, value: 500 },
				{ id: 4, reachedAt: 50, value: 500 }
			],
			4
		]
	] as const)('%s', (_, crossings, id) => {
		expect(firstToCross(crossings)?.id ?? null).toBe(id);
	});
});

describe('sprintPhase', () => {
	const sprint = { startsAt: 1000 * DAY, endsAt: 1007 * DAY };
	const grace = 2 * DAY;
	const won = { reachedAt: 1003 * DAY };
	it.each([
		['before the start', null, 999 * DAY, 'scheduled'],
		['running, nobody there yet', null, 1002 * DAY, 'live'],
		['somebody reached it: won, within the grace', won, 1004 * DAY, 'won'],
		['grace after the winning entry: final', won, 1005 * DAY, 'final'],
		['deadline passed without a winner', null, 1007 * DAY, 'expired'],
		['grace after the deadline: final', null, 1009 * DAY, 'final']
	] as const)('%s', (_, winner, now, phase) => {
		expect(sprintPhase(sprint, winner, now, grace)).toBe(phase);
	});
});

it.each([
	[0, 500, 0],
	[250, 500, 0.5],
	[900, 500, 1],
	[-20, 500, 0]
])('progress %i of %i is %f', (value, target, p) => expect(progressOf(value, target)).toBe(p));
