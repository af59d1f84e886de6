import { describe, expect, it } from 'vitest';
import { frameChangesScreen } from './season-frame';

describe('frameChangesScreen', () => {
	const shown = { status: 'live', look: 'look-a' };
	const cases: [string, Parameters<typeof frameChangesScreen>[1], boolean][] = [
		[
			'the state sent again after a Redis outage',
			{ seasonId: 1, status: 'live', announcement: null, look: 'look-a' },
			false
		],
		[
			'the same sent again with an announcement (the TV shows none)',
			{ seasonId: 1, status: 'live', announcement: 'Pizza at five', look: 'look-a' },
			false
		],
		['an announcement', { seasonId: 1, status: 'live', announcement: 'Pizza at five' }, false],
		['a rename or a new theme', { seasonId: 1, status: 'live', look: 'look-b' }, true],
		['the season ended', { seasonId: 1, status: 'ended', nextSeasonId: 2 }, true],
		[
			'the season ended, sent again after an outage',
			{ seasonId: 1, status: 'ended', announcement: null, look: 'look-a', nextSeasonId: 2 },
			true
		],
		['archived', { seasonId: 1, status: 'archived' }, true]
	];
	it.each(cases)('%s → %s', (_, event, reload) => {
		expect(frameChangesScreen(shown, event)).toBe(reload);
	});

	it('an ended season sent again to a screen that shows it ended reloads nothing', () => {
		const event = { seasonId: 1, status: 'ended', announcement: null, look: 'look-a' };
		expect(frameChangesScreen({ status: 'ended', look: 'look-a' }, event)).toBe(false);
	});
});
