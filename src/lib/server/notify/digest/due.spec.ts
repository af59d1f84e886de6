import { describe, expect, it } from 'vitest';
import { dailySlot, dueSlot, weeklySlot } from './due';

const at = (iso: string) => Date.parse(iso);
const live = (timeZone: string) => ({
	timeZone,
	startsAt: at('2026-01-01T00:00:00Z'),
	endsAt: at('2027-12-31T00:00:00Z')
});

describe('weeklySlot', () => {
	it.each([
		{
			name: 'Monday 08:00 in summer time (UTC+2)',
			zone: 'Europe/Amsterdam',
			now: '2026-10-21T12:00:00Z',
			key: '2026-W43',
			due: '2026-10-19T06:00:00Z'
		},
		{
			name: 'the Monday after summer time ended on Sunday: 08:00 is an hour later in UTC',
			zone: 'Europe/Amsterdam',
			now: '2026-10-26T06:30:00Z',
			key: '2026-W44',
			due: '2026-10-26T07:00:00Z'
		},
		{
			name: 'the Monday after summer time began on Sunday',
			zone: 'Europe/Stockholm',
			now: '2026-04-02T09:00:00Z',
			key: '2026-W14',
			due: '2026-03-30T06:00:00Z'
		},
		{
			name: 'New York, after its own change (a week later than Europe)',
			zone: 'America/New_York',
			now: '2026-11-02T14:00:00Z',
			key: '2026-W45',
			due: '2026-11-02T13:00:00Z'
		},
		{
			name: 'Auckland: its Monday morning is Sunday evening in UTC',
			zone: 'Pacific/Auckland',
			now: '2026-12-06T20:00:00Z',
			key: '2026-W50',
			due: '2026-12-06T19:00:00Z'
		},
		{
			name: 'Sunday night belongs to the week before (ISO weeks start on Monday)',
			zone: 'UTC',
			now: '2026-12-06T23:59:00Z',
			key: '2026-W49',
			due: '2026-11-30T08:00:00Z'
		}
	])('$name', ({ zone, now, key, due }) => {
		const slot = weeklySlot(at(now), zone);
		expect(slot.key).toBe(key);
		expect(new Date(slot.at).toISOString()).toBe(new Date(at(due)).toISOString());
	});
});

describe('dailySlot', () => {
	it('is 08:00 of the local date, across a DST change', () => {
		expect(dailySlot(at('2026-10-25T10:00:00Z'), 'Europe/Paris')).toEqual({
			key: '2026-10-25',
			date: '2026-10-25',
			at: at('2026-10-25T07:00:00Z')
		});
		expect(dailySlot(at('2026-10-24T10:00:00Z'), 'Europe/Paris').at).toBe(
			at('2026-10-24T06:00:00Z')
		);
	});
	it('takes the date of the zone, not of UTC', () => {
		expect(dailySlot(at('2026-12-02T23:30:00Z'), 'Europe/Warsaw').key).toBe('2026-12-03');
	});
});

describe('dueSlot', () => {
	it('is null before 08:00 and due from 08:00 until the period ends', () => {
		const season = live('Europe/Amsterdam');
		expect(dueSlot('weekly', at('2026-12-07T06:59:59Z'), season)).toBeNull();
		expect(dueSlot('weekly', at('2026-12-07T07:00:00Z'), season)?.key).toBe('2026-W50');
		// The first check after it, days later, is still this week's digest.
		expect(dueSlot('weekly', at('2026-12-10T15:00:00Z'), season)?.key).toBe('2026-W50');
		expect(dueSlot('daily', at('2026-12-07T06:59:59Z'), season)).toBeNull();
		expect(dueSlot('daily', at('2026-12-07T07:00:00Z'), season)?.key).toBe('2026-12-07');
	});
	it('is null when the slot is outside the season (it started after Monday 08:00, or ended)', () => {
		const started = { ...live('UTC'), startsAt: at('2026-12-07T12:00:00Z') };
		expect(dueSlot('weekly', at('2026-12-08T09:00:00Z'), started)).toBeNull();
		expect(dueSlot('daily', at('2026-12-08T09:00:00Z'), started)?.key).toBe('2026-12-08');
		const ended = { ...live('UTC'), endsAt: at('2026-12-07T08:00:00Z') };
		expect(dueSlot('weekly', at('2026-12-07T09:00:00Z'), ended)).toBeNull();
	});
});
