import { describe, expect, it } from 'vitest';
import {
	addDaysToKey,
	daysLeft,
	graceEndsAt,
	playedDays,
	isWorkingDate,
	localDateKey,
	localDayRange,
	nextSeason,
	nextWorkingDate,
	seasonBounds,
	weekKey,
	weekRange,
	type Range,
	type Recurrence,
	type SeasonWindow,
	type ZonedSeason
} from './calendar';

const WARSAW = 'Europe/Warsaw';
const NEW_YORK = 'America/New_York';
const HOUR = 3_600_000;

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const isoRange = ([start, end]: Range) => [iso(start), iso(end)];

// Spec helpers: the first instant of the local day an instant falls in, and a chain of seasons
// as the scheduler builds it with nextSeason.
function startOfLocalDay(ms: number, timeZone: string): number {
	return localDayRange(localDateKey(ms, timeZone), timeZone)[0];
}

/** The seasons after `season` that start before `until`, as the scheduler would chain them. */
function occurrences(
	season: ZonedSeason,
	recurrence: Recurrence,
	until: number,
	limit = 1000
): SeasonWindow[] {
	const result: SeasonWindow[] = [];
	let current: ZonedSeason = season;
	while (result.length < limit) {
		const next = nextSeason(current, recurrence);
		if (next.startsAt >= until) break;
		result.push(next);
		current = { ...next, timeZone: season.timeZone };
	}
	return result;
}

describe('local days', () => {
	it.each([
		[
			'Warsaw, Sunday 23:30 CEST',
			'2026-03-29T21:30:00Z',
			WARSAW,
			'2026-03-29',
			'2026-03-28T23:00:00.000Z'
		],
		[
			'Warsaw, Monday 00:30 CEST',
			'2026-03-29T22:30:00Z',
			WARSAW,
			'2026-03-30',
			'2026-03-29T22:00:00.000Z'
		],
		['UTC, same instant', '2026-03-29T22:30:00Z', 'UTC', '2026-03-29', '2026-03-29T00:00:00.000Z'],
		[
			'New York, Sunday 23:30 EDT',
			'2026-03-30T03:30:00Z',
			NEW_YORK,
			'2026-03-29',
			'2026-03-29T04:00:00.000Z'
		],
		[
			'Auckland, ahead of UTC',
			'2026-03-29T12:00:00Z',
			'Pacific/Auckland',
			'2026-03-30',
			'2026-03-29T11:00:00.000Z'
		]
	])('%s', (_, instant, zone, key, start) => {
		expect(localDateKey(at(instant), zone)).toBe(key);
		expect(iso(startOfLocalDay(at(instant), zone))).toBe(start);
	});

	it.each([
		[
			'spring forward: 23 hours',
			'2026-03-29',
			WARSAW,
			'2026-03-28T23:00:00.000Z',
			'2026-03-29T22:00:00.000Z',
			23
		],
		[
			'fall back: 25 hours',
			'2026-10-25',
			WARSAW,
			'2026-10-24T22:00:00.000Z',
			'2026-10-25T23:00:00.000Z',
			25
		],
		[
			'summer day',
			'2026-06-15',
			WARSAW,
			'2026-06-14T22:00:00.000Z',
			'2026-06-15T22:00:00.000Z',
			24
		],
		[
			'US spring forward',
			'2026-03-08',
			NEW_YORK,
			'2026-03-08T05:00:00.000Z',
			'2026-03-09T04:00:00.000Z',
			23
		],
		// Chile skips midnight itself: the day starts at 01:00.
		[
			'no midnight',
			'2026-09-06',
			'America/Santiago',
			'2026-09-06T04:00:00.000Z',
			'2026-09-07T03:00:00.000Z',
			23
		],
		['UTC', '2026-03-29', 'UTC', '2026-03-29T00:00:00.000Z', '2026-03-30T00:00:00.000Z', 24]
	])('localDayRange, %s', (_, key, zone, start, end, hours) => {
		const range = localDayRange(key, zone);
		expect(isoRange(range)).toEqual([start, end]);
		expect((range[1] - range[0]) / HOUR).toBe(hours);
	});

	it.each([
		['2026-02-28', 1, '2026-03-01'],
		['2028-02-28', 1, '2028-02-29'],
		['2026-12-31', 1, '2027-01-01'],
		['2026-03-30', -3, '2026-03-27']
	])('addDaysToKey(%s, %i) = %s', (key, days, expected) => {
		expect(addDaysToKey(key, days)).toBe(expected);
	});

	it.each(['2026-02-30', '2026-13-01', '26-01-01', 'yesterday'])(
		'rejects the date key %s',
		(key) => {
			expect(() => localDayRange(key, WARSAW)).toThrow(RangeError);
		}
	);

	it('rejects an unknown time zone', () => {
		expect(() => localDateKey(0, 'Mars/Olympus')).toThrow(RangeError);
		expect(() => localDayRange('2026-01-01', 'Mars/Olympus')).toThrow(RangeError);
	});
});

describe('ISO weeks', () => {
	it.each([
		[
			'Warsaw Sunday 23:30, DST week',
			'2026-03-29T21:30:00Z',
			WARSAW,
			'2026-W13',
			'2026-03-22T23:00:00.000Z',
			'2026-03-29T22:00:00.000Z'
		],
		[
			'Warsaw Monday 00:30 is the next week',
			'2026-03-29T22:30:00Z',
			WARSAW,
			'2026-W14',
			'2026-03-29T22:00:00.000Z',
			'2026-04-05T22:00:00.000Z'
		],
		[
			'the same instant in UTC is still Sunday',
			'2026-03-29T22:30:00Z',
			'UTC',
			'2026-W13',
			'2026-03-23T00:00:00.000Z',
			'2026-03-30T00:00:00.000Z'
		],
		[
			'New York Sunday 23:30 is Monday in UTC',
			'2026-03-30T03:30:00Z',
			NEW_YORK,
			'2026-W13',
			'2026-03-23T04:00:00.000Z',
			'2026-03-30T04:00:00.000Z'
		],
		[
			'Warsaw Sunday 23:30 after fall back',
			'2026-10-25T22:30:00Z',
			WARSAW,
			'2026-W43',
			'2026-10-18T22:00:00.000Z',
			'2026-10-25T23:00:00.000Z'
		],
		[
			'1 Jan 2027 belongs to 2026-W53',
			'2027-01-01T12:00:00Z',
			WARSAW,
			'2026-W53',
			'2026-12-27T23:00:00.000Z',
			'2027-01-03T23:00:00.000Z'
		],
		[
			'30 Dec 2024 belongs to 2025-W01',
			'2024-12-30T12:00:00Z',
			WARSAW,
			'2025-W01',
			'2024-12-29T23:00:00.000Z',
			'2025-01-05T23:00:00.000Z'
		]
	])('%s', (_, instant, zone, key, start, end) => {
		expect(weekKey(at(instant), zone)).toBe(key);
		expect(isoRange(weekRange(at(instant), zone))).toEqual([start, end]);
	});

	it('the week with the spring change lasts 167 hours and the autumn one 169', () => {
		const [s1, e1] = weekRange(at('2026-03-25T12:00:00Z'), WARSAW);
		const [s2, e2] = weekRange(at('2026-10-21T12:00:00Z'), WARSAW);
		expect([(e1 - s1) / HOUR, (e2 - s2) / HOUR]).toEqual([167, 169]);
	});
});

describe('seasonBounds', () => {
	it.each([
		[
			'March in Warsaw (DST inside)',
			'2026-03-01',
			'2026-03-31',
			WARSAW,
			'2026-02-28T23:00:00.000Z',
			'2026-03-31T22:00:00.000Z'
		],
		[
			'March in UTC',
			'2026-03-01',
			'2026-03-31',
			'UTC',
			'2026-03-01T00:00:00.000Z',
			'2026-04-01T00:00:00.000Z'
		],
		[
			'October in Warsaw (DST inside)',
			'2026-10-01',
			'2026-10-31',
			WARSAW,
			'2026-09-30T22:00:00.000Z',
			'2026-10-31T23:00:00.000Z'
		],
		[
			'January in Warsaw',
			'2026-01-01',
			'2026-01-31',
			WARSAW,
			'2025-12-31T23:00:00.000Z',
			'2026-01-31T23:00:00.000Z'
		],
		[
			'January in UTC',
			'2026-01-01',
			'2026-01-31',
			'UTC',
			'2026-01-01T00:00:00.000Z',
			'2026-02-01T00:00:00.000Z'
		],
		[
			'one 23-hour day',
			'2026-03-29',
			'2026-03-29',
			WARSAW,
			'2026-03-28T23:00:00.000Z',
			'2026-03-29T22:00:00.000Z'
		]
	])('%s', (_, startDate, endDate, timeZone, startsAt, endsAt) => {
		const bounds = seasonBounds({ startDate, endDate, timeZone });
		expect([iso(bounds.startsAt), iso(bounds.endsAt)]).toEqual([startsAt, endsAt]);
	});

	it.each([
		['March', '2026-03-01', '2026-03-31', 31 * 24 - 1],
		['October', '2026-10-01', '2026-10-31', 31 * 24 + 1]
	])(
		'the local days of %s in Warsaw tile the season from midnight to midnight',
		(_, startDate, endDate, hours) => {
			const { startsAt, endsAt } = seasonBounds({ startDate, endDate, timeZone: WARSAW });
			let cursor = startsAt;
			for (let key = startDate; key <= endDate; key = addDaysToKey(key, 1)) {
				const [start, end] = localDayRange(key, WARSAW);
				expect(start).toBe(cursor);
				expect(localDateKey(start, WARSAW)).toBe(key);
				expect(startOfLocalDay(end - 1, WARSAW)).toBe(start);
				cursor = end;
			}
			expect(cursor).toBe(endsAt);
			expect((endsAt - startsAt) / HOUR).toBe(hours);
		}
	);

	it('rejects a season that ends before it starts', () => {
		expect(() =>
			seasonBounds({ startDate: '2026-03-02', endDate: '2026-03-01', timeZone: 'UTC' })
		).toThrow(RangeError);
	});
});

describe('nextSeason', () => {
	const quarterly: Recurrence = { every: 3, unit: 'month' };
	const monthly: Recurrence = { every: 1, unit: 'month' };
	const weekly: Recurrence = { every: 1, unit: 'week' };

	it.each([
		[
			'quarterly across the year end',
			WARSAW,
			quarterly,
			'2025-09-30T22:00:00Z',
			'2025-12-31T23:00:00Z',
			'2025-12-31T23:00:00.000Z',
			'2026-03-31T22:00:00.000Z'
		],
		[
			'quarterly 1 Jan–31 Mar → 1 Apr–30 Jun',
			WARSAW,
			quarterly,
			'2025-12-31T23:00:00Z',
			'2026-03-31T22:00:00Z',
			'2026-03-31T22:00:00.000Z',
			'2026-06-30T22:00:00.000Z'
		],
		[
			'quarterly 1 Nov–15 Dec → 1 Feb–15 Mar',
			WARSAW,
			quarterly,
			'2025-10-31T23:00:00Z',
			'2025-12-15T23:00:00Z',
			'2026-01-31T23:00:00.000Z',
			'2026-03-15T23:00:00.000Z'
		],
		[
			'weekly, whole week across spring forward',
			WARSAW,
			weekly,
			'2026-03-22T23:00:00Z',
			'2026-03-29T22:00:00Z',
			'2026-03-29T22:00:00.000Z',
			'2026-04-05T22:00:00.000Z'
		],
		[
			'weekly, Mon 09:00–Fri 17:00 across fall back',
			WARSAW,
			weekly,
			'2026-10-19T07:00:00Z',
			'2026-10-23T15:00:00Z',
			'2026-10-26T08:00:00.000Z',
			'2026-10-30T16:00:00.000Z'
		],
		[
			'fortnightly in UTC',
			'UTC',
			{ every: 2, unit: 'week' } as Recurrence,
			'2026-01-05T00:00:00Z',
			'2026-01-10T00:00:00Z',
			'2026-01-19T00:00:00.000Z',
			'2026-01-24T00:00:00.000Z'
		],
		[
			'monthly, calendar month January → February',
			WARSAW,
			monthly,
			'2025-12-31T23:00:00Z',
			'2026-01-31T23:00:00Z',
			'2026-01-31T23:00:00.000Z',
			'2026-02-28T23:00:00.000Z'
		],
		[
			'monthly from 31 Jan (back-to-back) → 28 Feb–30 Mar',
			WARSAW,
			monthly,
			'2026-01-30T23:00:00Z',
			'2026-02-27T23:00:00Z',
			'2026-02-27T23:00:00.000Z',
			'2026-03-30T22:00:00.000Z'
		],
		[
			'monthly 1–30 Jan → 1–28 Feb',
			WARSAW,
			monthly,
			'2025-12-31T23:00:00Z',
			'2026-01-30T23:00:00Z',
			'2026-01-31T23:00:00.000Z',
			'2026-02-28T23:00:00.000Z'
		],
		[
			'monthly, the single day 30 Jan → 28 Feb',
			WARSAW,
			monthly,
			'2026-01-29T23:00:00Z',
			'2026-01-30T23:00:00Z',
			'2026-02-27T23:00:00.000Z',
			'2026-02-28T23:00:00.000Z'
		],
		[
			'monthly from 31 Jan in a leap year',
			'UTC',
			monthly,
			'2028-01-31T00:00:00Z',
			'2028-02-29T00:00:00Z',
			'2028-02-29T00:00:00.000Z',
			'2028-03-31T00:00:00.000Z'
		]
	])('%s', (_, timeZone, recurrence, startsAt, endsAt, nextStart, nextEnd) => {
		const next = nextSeason({ startsAt: at(startsAt), endsAt: at(endsAt), timeZone }, recurrence);
		expect([iso(next.startsAt), iso(next.endsAt)]).toEqual([nextStart, nextEnd]);
	});

	it('keeps the length of a sub-day season that month-end clamping would empty', () => {
		const season = { startsAt: at('2026-01-30T09:00:00Z'), endsAt: at('2026-01-31T08:00:00Z') };
		const next = nextSeason({ ...season, timeZone: 'UTC' }, monthly);
		expect([iso(next.startsAt), iso(next.endsAt)]).toEqual([
			'2026-02-28T09:00:00.000Z',
			'2026-03-01T08:00:00.000Z'
		]);
	});

	it.each([0, -1, 1.5])('rejects every = %s', (every) => {
		const season = { startsAt: 0, endsAt: 1, timeZone: 'UTC' };
		expect(() => nextSeason(season, { every, unit: 'month' })).toThrow(RangeError);
	});
});

describe('occurrences', () => {
	it('chains a month-end series without drift and keeps it back-to-back', () => {
		const season = { startsAt: at('2026-01-31T00:00:00Z'), endsAt: at('2026-02-28T00:00:00Z') };
		const until = at('2026-07-01T00:00:00Z');
		const series = occurrences({ ...season, timeZone: 'UTC' }, { every: 1, unit: 'month' }, until);
		expect(series.map((s) => localDateKey(s.startsAt, 'UTC'))).toEqual([
			'2026-02-28',
			'2026-03-31',
			'2026-04-30',
			'2026-05-31',
			'2026-06-30'
		]);
		series.slice(1).forEach((s, i) => expect(s.startsAt).toBe(series[i].endsAt));
	});

	it('keeps quarterly seasons on local midnight through both DST changes', () => {
		const dates = { startDate: '2026-01-01', endDate: '2026-03-31', timeZone: WARSAW };
		const season = { ...seasonBounds(dates), timeZone: WARSAW };
		// `until` is exclusive: the season starting at local midnight of 1 Jan 2027 is left out.
		const series = occurrences(season, { every: 3, unit: 'month' }, at('2026-12-31T23:00:00Z'));
		const days = series.map((s) => [
			localDateKey(s.startsAt, WARSAW),
			localDateKey(s.endsAt - 1, WARSAW)
		]);
		expect(days).toEqual([
			['2026-04-01', '2026-06-30'],
			['2026-07-01', '2026-09-30'],
			['2026-10-01', '2026-12-31']
		]);
		for (const s of series) expect(startOfLocalDay(s.startsAt, WARSAW)).toBe(s.startsAt);
	});

	it('stops at the limit', () => {
		const season = { startsAt: 0, endsAt: 7 * 24 * HOUR, timeZone: 'UTC' };
		expect(occurrences(season, { every: 1, unit: 'week' }, Infinity, 3)).toHaveLength(3);
	});
});

describe('working days', () => {
	const easterMonday = ['2026-04-06'];

	it.each([
		['Friday', '2026-03-27', [], true],
		['Saturday', '2026-03-28', [], false],
		['Sunday', '2026-03-29', [], false],
		['Monday', '2026-03-30', [], true],
		['a holiday on a Monday', '2026-04-06', easterMonday, false],
		['the day after the holiday', '2026-04-07', easterMonday, true]
	])('%s %s', (_, key, holidays, expected) => {
		expect(isWorkingDate(key, holidays)).toBe(expected);
	});

	it.each([
		['Friday → Monday', '2026-03-27', [], '2026-03-30'],
		['Friday → Tuesday over a holiday Monday', '2026-04-03', easterMonday, '2026-04-07'],
		['from a Saturday', '2026-03-28', [], '2026-03-30']
	])('nextWorkingDate, %s', (_, key, holidays, expected) => {
		expect(nextWorkingDate(key, holidays)).toBe(expected);
	});

	it('refuses to search a calendar without working days', () => {
		expect(() => nextWorkingDate('2026-03-27', [], [0, 1, 2, 3, 4, 5, 6])).toThrow(RangeError);
	});
});

describe('a Europe/Warsaw season across the autumn DST change (25 Oct 2026)', () => {
	// Clocks go back from 03:00 CEST to 02:00 CET at 01:00 UTC on Sunday 25 October.
	const season = {
		...seasonBounds({ startDate: '2026-10-01', endDate: '2026-12-31', timeZone: WARSAW }),
		timeZone: WARSAW
	};

	it('starts at local midnight in summer time and ends at local midnight in winter time', () => {
		expect([iso(season.startsAt), iso(season.endsAt)]).toEqual([
			'2026-09-30T22:00:00.000Z',
			'2026-12-31T23:00:00.000Z'
		]);
	});

	it.each([
		['2026-10-24', '2026-10-23T22:00:00.000Z', '2026-10-24T22:00:00.000Z', 24],
		['2026-10-25', '2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z', 25],
		['2026-10-26', '2026-10-25T23:00:00.000Z', '2026-10-26T23:00:00.000Z', 24]
	])('the day %s runs from %s to %s (%i hours)', (key, start, end, hours) => {
		const range = localDayRange(key, WARSAW);
		expect(isoRange(range)).toEqual([start, end]);
		expect((range[1] - range[0]) / HOUR).toBe(hours);
	});

	it.each([
		['00:30 CEST, just after midnight', '2026-10-24T22:30:00Z', '2026-10-25'],
		['02:30 CEST, the first 02:30', '2026-10-25T00:30:00Z', '2026-10-25'],
		['02:30 CET, the repeated hour', '2026-10-25T01:30:00Z', '2026-10-25'],
		['23:59 CET, the last minute of the long day', '2026-10-25T22:59:00Z', '2026-10-25'],
		['00:00 CET, the next day', '2026-10-25T23:00:00Z', '2026-10-26']
	])('a sale at %s belongs to the right local day', (_, instant, key) => {
		expect(localDateKey(at(instant), WARSAW)).toBe(key);
		expect(startOfLocalDay(at(instant), WARSAW)).toBe(localDayRange(key, WARSAW)[0]);
	});

	it('the week of the change ends at Monday local midnight, 169 hours after it began', () => {
		const lastMinute = at('2026-10-25T22:59:00Z');
		const nextMonday = at('2026-10-25T23:00:00Z');
		expect(isoRange(weekRange(lastMinute, WARSAW))).toEqual([
			'2026-10-18T22:00:00.000Z',
			'2026-10-25T23:00:00.000Z'
		]);
		expect(isoRange(weekRange(nextMonday, WARSAW))).toEqual([
			'2026-10-25T23:00:00.000Z',
			'2026-11-01T23:00:00.000Z'
		]);
		expect(weekKey(lastMinute, WARSAW)).toBe(weekKey(at('2026-10-19T08:00:00Z'), WARSAW));
		expect(weekKey(nextMonday, WARSAW)).not.toBe(weekKey(lastMinute, WARSAW));
	});

	it.each([
		['before the start: the whole season', '2026-09-15T10:00:00Z', 92],
		['the first minute', '2026-09-30T22:00:00Z', 92],
		['23:59 CEST on Saturday 24 Oct', '2026-10-24T21:59:00Z', 69],
		['00:00 CEST on Sunday 25 Oct', '2026-10-24T22:00:00Z', 68],
		['the repeated 02:30 on 25 Oct', '2026-10-25T01:30:00Z', 68],
		['23:59 CET on 25 Oct (the 25-hour day)', '2026-10-25T22:59:00Z', 68],
		['00:00 CET on Monday 26 Oct', '2026-10-25T23:00:00Z', 67],
		['the last day', '2026-12-31T22:59:00Z', 1],
		['the end', '2026-12-31T23:00:00Z', 0]
	])('days left at %s', (_, instant, left) => {
		expect(daysLeft(at(instant), season)).toBe(left);
	});

	it('counts calendar days, which 24-hour blocks get wrong after the change', () => {
		const now = at('2026-10-24T22:00:00Z');
		// 68 days and an hour of elapsed time remain, yet 68 local days.
		expect(Math.ceil((season.endsAt - now) / (24 * HOUR))).toBe(69);
		expect(daysLeft(now, season)).toBe(68);
	});
});

describe('a season ending at midnight in Europe/Warsaw versus UTC', () => {
	const inSeason = (ms: number, window: { startsAt: number; endsAt: number }) =>
		ms >= window.startsAt && ms < window.endsAt;

	it.each([
		['winter (CET, UTC+1)', '2026-12-01', '2026-12-31', 1],
		['summer (CEST, UTC+2)', '2026-07-01', '2026-07-31', 2]
	])('in %s Warsaw ends earlier than UTC by the offset', (_, startDate, endDate, hours) => {
		const warsaw = seasonBounds({ startDate, endDate, timeZone: WARSAW });
		const utc = seasonBounds({ startDate, endDate, timeZone: 'UTC' });
		expect(utc.endsAt - warsaw.endsAt).toBe(hours * HOUR);
		expect(utc.startsAt - warsaw.startsAt).toBe(hours * HOUR);
		expect(localDateKey(warsaw.endsAt - 1, WARSAW)).toBe(endDate);
		expect(localDateKey(utc.endsAt - 1, 'UTC')).toBe(endDate);
	});

	it('a sale at 23:30 UTC on the last day counts in the UTC season, not in the Warsaw one', () => {
		const dates = { startDate: '2026-12-01', endDate: '2026-12-31' };
		const warsaw = seasonBounds({ ...dates, timeZone: WARSAW });
		const utc = seasonBounds({ ...dates, timeZone: 'UTC' });
		const sale = at('2026-12-31T23:30:00Z');
		expect(inSeason(sale, utc)).toBe(true);
		expect(inSeason(sale, warsaw)).toBe(false);
		// In Warsaw it is already 00:30 on New Year's Day.
		expect(localDateKey(sale, WARSAW)).toBe('2027-01-01');
		// An hour earlier it counts in both.
		expect(inSeason(sale - HOUR, warsaw)).toBe(true);
	});

	it('in summer the Warsaw season closes at 22:00 UTC', () => {
		const warsaw = seasonBounds({
			startDate: '2026-07-01',
			endDate: '2026-07-31',
			timeZone: WARSAW
		});
		expect(inSeason(at('2026-07-31T21:59:59Z'), warsaw)).toBe(true);
		expect(inSeason(at('2026-07-31T22:00:00Z'), warsaw)).toBe(false);
	});
});

describe('recurrences from the console', () => {
	const days = (s: { startsAt: number; endsAt: number }, timeZone: string) => [
		localDateKey(s.startsAt, timeZone),
		localDateKey(s.endsAt - 1, timeZone)
	];
	const quarterly: Recurrence = { every: 3, unit: 'month' };
	const monthly: Recurrence = { every: 1, unit: 'month' };
	const fortnightly: Recurrence = { every: 2, unit: 'week' };

	it('quarterly from 15 Nov 2026, back-to-back, chains 15 Feb, 15 May, 15 Aug and 15 Nov 2027', () => {
		const season = {
			...seasonBounds({ startDate: '2026-11-15', endDate: '2027-02-14', timeZone: WARSAW }),
			timeZone: WARSAW
		};
		const next = nextSeason(season, quarterly);
		expect(days(next, WARSAW)).toEqual(['2027-02-15', '2027-05-14']);
		// 15 Feb starts in winter time, 15 May ends in summer time.
		expect([iso(next.startsAt), iso(next.endsAt)]).toEqual([
			'2027-02-14T23:00:00.000Z',
			'2027-05-14T22:00:00.000Z'
		]);
		const series = occurrences(season, quarterly, at('2027-12-01T00:00:00Z'));
		expect(series.map((s) => days(s, WARSAW))).toEqual([
			['2027-02-15', '2027-05-14'],
			['2027-05-15', '2027-08-14'],
			['2027-08-15', '2027-11-14'],
			['2027-11-15', '2028-02-14']
		]);
		series.slice(1).forEach((s, i) => expect(s.startsAt).toBe(series[i].endsAt));
	});

	it('quarterly 15 Nov–15 Dec 2026 becomes 15 Feb–15 Mar 2027', () => {
		const season = {
			...seasonBounds({ startDate: '2026-11-15', endDate: '2026-12-15', timeZone: WARSAW }),
			timeZone: WARSAW
		};
		const next = nextSeason(season, quarterly);
		expect(days(next, WARSAW)).toEqual(['2027-02-15', '2027-03-15']);
		expect(iso(next.endsAt)).toBe('2027-03-15T23:00:00.000Z');
	});

	it.each([
		['UTC', 'UTC'],
		['Europe/Warsaw', WARSAW]
	])('monthly from 31 Jan clamps to 28 Feb, then returns to month end (%s)', (_, timeZone) => {
		const season = {
			...seasonBounds({ startDate: '2026-01-31', endDate: '2026-02-09', timeZone }),
			timeZone
		};
		const series = occurrences(
			season,
			monthly,
			seasonBounds({ startDate: '2026-05-01', endDate: '2026-05-01', timeZone }).startsAt
		);
		expect(series.map((s) => days(s, timeZone))).toEqual([
			['2026-02-28', '2026-03-09'],
			['2026-03-31', '2026-04-09'],
			['2026-04-30', '2026-05-09']
		]);
		for (const s of series) expect(startOfLocalDay(s.startsAt, timeZone)).toBe(s.startsAt);
	});

	it('monthly, the single day 31 Jan becomes the single day 28 Feb', () => {
		const season = {
			...seasonBounds({ startDate: '2026-01-31', endDate: '2026-01-31', timeZone: WARSAW }),
			timeZone: WARSAW
		};
		expect(days(nextSeason(season, monthly), WARSAW)).toEqual(['2026-02-28', '2026-02-28']);
	});

	it('every 2 weeks keeps Monday local midnight across the autumn change', () => {
		const season = {
			...seasonBounds({ startDate: '2026-10-19', endDate: '2026-10-25', timeZone: WARSAW }),
			timeZone: WARSAW
		};
		// The week with the change lasts 169 hours; the next one the usual 168.
		expect((season.endsAt - season.startsAt) / HOUR).toBe(169);
		const next = nextSeason(season, fortnightly);
		expect([iso(next.startsAt), iso(next.endsAt)]).toEqual([
			'2026-11-01T23:00:00.000Z',
			'2026-11-08T23:00:00.000Z'
		]);
		expect((next.endsAt - next.startsAt) / HOUR).toBe(168);
	});

	it('every 2 weeks chains across both changes without drifting off midnight', () => {
		const season = {
			...seasonBounds({ startDate: '2026-10-12', endDate: '2026-10-18', timeZone: WARSAW }),
			timeZone: WARSAW
		};
		const series = occurrences(season, fortnightly, at('2027-04-15T00:00:00Z'));
		const starts = series.map((s) => localDateKey(s.startsAt, WARSAW));
		expect(starts.slice(0, 3)).toEqual(['2026-10-26', '2026-11-09', '2026-11-23']);
		expect(starts.at(-1)).toBe('2027-04-12');
		for (const s of series) {
			expect(startOfLocalDay(s.startsAt, WARSAW)).toBe(s.startsAt);
			expect(weekdayOfMs(s.startsAt)).toBe(1);
			expect(days(s, WARSAW)[1]).toBe(addDaysToKey(localDateKey(s.startsAt, WARSAW), 6));
		}
		// 12 Oct CEST to 26 Oct CET: two weeks and one hour of elapsed time.
		expect(series[0].startsAt - season.startsAt).toBe(14 * 24 * HOUR + HOUR);
	});

	const weekdayOfMs = (ms: number) => new Date(localDateKey(ms, WARSAW) + 'T00:00:00Z').getUTCDay();
});

describe('playedDays', () => {
	const s = {
		startsAt: Date.UTC(2026, 8, 30, 22),
		endsAt: Date.UTC(2026, 11, 31, 23),
		timeZone: 'Europe/Warsaw'
	};
	it('runs from the first local day to today', () => {
		expect(playedDays(s, Date.UTC(2026, 9, 3, 10))).toEqual([
			'2026-10-01',
			'2026-10-02',
			'2026-10-03'
		]);
	});
	it('stops at the last day once the season is over, and shows its first day before it starts', () => {
		expect(playedDays(s, Date.UTC(2027, 5, 1)).at(-1)).toBe('2026-12-31');
		expect(playedDays(s, Date.UTC(2026, 0, 1))).toEqual(['2026-10-01']);
	});
});

describe('graceEndsAt', () => {
	it('is the end plus the grace days', () => {
		expect(graceEndsAt({ endsAt: Date.UTC(2026, 11, 31, 23), graceDays: 3 })).toBe(
			Date.UTC(2027, 0, 3, 23)
		);
		expect(graceEndsAt({ endsAt: 1000, graceDays: 0 })).toBe(1000);
	});
});
