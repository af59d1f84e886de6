import { describe, expect, it } from 'vitest';
import {
	activityDifferences,
	activityPoints,
	FUTURE_TOLERANCE_MS,
	isActivityKey,
	normaliseKey,
	timeProblem,
	type ActivityFacts
} from './activity';

const HOUR = 3_600_000;

describe('activity type keys', () => {
	it.each([
		['call', true],
		['new-account', true],
		['training_done', true],
		['demo2', true],
		['2demo', false],
		['Call', false],
		['', false],
		['a b', false],
		['x'.repeat(33), false],
		['x'.repeat(32), true]
	])('%j is a key: %s', (key, ok) => {
		expect(isActivityKey(key)).toBe(ok);
	});
	it('normalises what a manager typed', () => {
		expect(normaliseKey('  Call ')).toBe('call');
	});
});

describe('activityPoints', () => {
	it.each([
		[2, 1, 2],
		[2, 3, 6],
		[15, 0, 0],
		[0, 10, 0]
	])('%i points × %i = %i', (per, quantity, total) => {
		expect(activityPoints(per, quantity)).toBe(total);
	});
});

describe('timeProblem', () => {
	const now = Date.UTC(2026, 2, 10, 12);
	const season = { startsAt: Date.UTC(2026, 2, 1), endsAt: Date.UTC(2026, 3, 1) };
	const after = season.endsAt + HOUR;
	it.each([
		['now', now, now, null],
		['a little ahead (clock drift)', now + FUTURE_TOLERANCE_MS, now, null],
		['in the future', now + FUTURE_TOLERANCE_MS + 1, now, 'in_the_future'],
		['the first instant of the season', season.startsAt, now, null],
		['before the season', season.startsAt - 1, now, 'outside_season'],
		['the last instant of the season, sent later', season.endsAt - 1, after, null],
		['at the end (exclusive), sent later', season.endsAt, after, 'outside_season']
	] as const)('%s', (_, at, clock, problem) => {
		expect(timeProblem(at, clock, season)).toBe(problem);
	});
});

describe('activityDifferences (the idempotency key sent again)', () => {
	const recorded: ActivityFacts = {
		userId: 7,
		typeKey: 'call',
		quantity: 3,
		occurredAt: 1_000,
		seasonId: 1
	};
	const same = { userId: 7, typeKey: 'call', quantity: 3, occurredAt: 1_000 };
	it.each([
		['the same activity', 'api', same, []],
		['the same, the import sending what the API sent', 'import', same, []],
		['another person', 'api', { ...same, userId: 8 }, ['person']],
		['another type', 'api', { ...same, typeKey: 'visit' }, ['type']],
		['another quantity', 'import', { ...same, quantity: 4 }, ['quantity']],
		['another time from an integration', 'api', { ...same, occurredAt: 2_000 }, ['occurredAt']],
		// The form's time is the clock's: a resend a second later is the same activity.
		['another time from the form', 'web', { ...same, occurredAt: 2_000 }, []],
		['another season named', 'web', { ...same, seasonId: 2 }, ['season']],
		['the same season named', 'web', { ...same, seasonId: 1 }, []],
		[
			'everything else',
			'api',
			{ userId: 1, typeKey: 'demo', quantity: 1, occurredAt: 5 },
			['person', 'type', 'quantity', 'occurredAt']
		]
	] as const)('%s', (_, source, sent, differs) => {
		expect(activityDifferences(recorded, sent, source)).toEqual(differs);
	});
});
