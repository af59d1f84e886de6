import { describe, expect, it } from 'vitest';
import { firstToCross, progressOf, sprintPhase } from './sprint';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

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
