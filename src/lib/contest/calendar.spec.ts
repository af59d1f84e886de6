import { describe, expect, it } from 'vitest';
import {
	addDaysToKey,
	areConsecutiveWorkingDates,
	isWorkingDate,
	isWorkingDay,
	localDateKey,
	localDayRange,
	nextSeason,
	nextWorkingDate,
	occurrences,
	previousWeekRange,
	previousWorkingDate,
	quarterKey,
	quarterRange,
	seasonBounds,
	startOfLocalDay,
	weekKey,
	weekRange,
	workingDatesBetween,
	type Range,
	type Recurrence
} from './calendar';

const WARSAW = 'Europe/Warsaw';
const NEW_YORK = 'America/New_York';
const HOUR = 3_600_000;

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const isoRange = ([start, end]: Range) => [iso(start), iso(end)];

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

	it.each([
		[
			'Monday morning after the change',
			'2026-03-30T08:00:00Z',
			'2026-03-22T23:00:00.000Z',
			'2026-03-29T22:00:00.000Z'
		],
		[
			'across the year end',
			'2026-01-01T12:00:00Z',
			'2025-12-21T23:00:00.000Z',
			'2025-12-28T23:00:00.000Z'
		]
	])('previousWeekRange, %s', (_, instant, start, end) => {
		expect(isoRange(previousWeekRange(at(instant), WARSAW))).toEqual([start, end]);
	});
});

describe('quarters', () => {
	it.each([
		[
			'mid Q2, Warsaw',
			'2026-05-15T12:00:00Z',
			WARSAW,
			'2026-Q2',
			'2026-03-31T22:00:00.000Z',
			'2026-06-30T22:00:00.000Z'
		],
		[
			'00:30 on 1 Jan local is already Q1',
			'2025-12-31T23:30:00Z',
			WARSAW,
			'2026-Q1',
			'2025-12-31T23:00:00.000Z',
			'2026-03-31T22:00:00.000Z'
		],
		[
			'the same instant in UTC is still Q4',
			'2025-12-31T23:30:00Z',
			'UTC',
			'2025-Q4',
			'2025-10-01T00:00:00.000Z',
			'2026-01-01T00:00:00.000Z'
		]
	])('%s', (_, instant, zone, key, start, end) => {
		expect(quarterKey(at(instant), zone)).toBe(key);
		expect(isoRange(quarterRange(at(instant), zone))).toEqual([start, end]);
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
		['Monday 00:30 in Warsaw', '2026-03-29T22:30:00Z', WARSAW, [6, 0], true],
		['the same instant in UTC is Sunday', '2026-03-29T22:30:00Z', 'UTC', [6, 0], false],
		['Friday, Friday–Saturday weekend', '2026-03-27T12:00:00Z', 'Asia/Dubai', [5, 6], false],
		['Sunday, Friday–Saturday weekend', '2026-03-29T12:00:00Z', 'Asia/Dubai', [5, 6], true]
	])('isWorkingDay, %s', (_, instant, zone, weekend, expected) => {
		expect(isWorkingDay(at(instant), zone, [], weekend)).toBe(expected);
	});

	it.each([
		['Friday → Monday', '2026-03-27', [], '2026-03-30'],
		['Friday → Tuesday over a holiday Monday', '2026-04-03', easterMonday, '2026-04-07'],
		['from a Saturday', '2026-03-28', [], '2026-03-30']
	])('nextWorkingDate, %s', (_, key, holidays, expected) => {
		expect(nextWorkingDate(key, holidays)).toBe(expected);
	});

	it('previousWorkingDate skips back over the weekend and a holiday', () => {
		expect(previousWorkingDate('2026-03-30')).toBe('2026-03-27');
		expect(previousWorkingDate('2026-04-07', new Set(easterMonday))).toBe('2026-04-03');
	});

	it.each([
		['2026-03-27', '2026-03-30', [], true],
		['2026-03-30', '2026-04-01', [], false],
		['2026-04-03', '2026-04-07', easterMonday, true],
		['2026-04-03', '2026-04-07', [], false]
	])('areConsecutiveWorkingDates(%s, %s) with %j = %s', (a, b, holidays, expected) => {
		expect(areConsecutiveWorkingDates(a, b, holidays)).toBe(expected);
	});

	it('lists the working dates of a range, inclusive', () => {
		expect(workingDatesBetween('2026-03-26', '2026-04-07', easterMonday)).toEqual([
			'2026-03-26',
			'2026-03-27',
			'2026-03-30',
			'2026-03-31',
			'2026-04-01',
			'2026-04-02',
			'2026-04-03',
			'2026-04-07'
		]);
	});

	it('refuses to search a calendar without working days', () => {
		expect(() => nextWorkingDate('2026-03-27', [], [0, 1, 2, 3, 4, 5, 6])).toThrow(RangeError);
	});
});
