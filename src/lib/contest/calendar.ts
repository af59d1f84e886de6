import { TZDate } from '@date-fns/tz';
import {
	addDays,
	addMonths,
	addWeeks,
	format,
	getDaysInMonth,
	isLastDayOfMonth,
	setDate,
	startOfDay,
	startOfISOWeek
} from 'date-fns';

// Calendars of a season's time zone. Every boundary is computed on wall-clock time with TZDate
// so that local midnight stays midnight across DST changes (23- and 25-hour days). Where a zone
// skips midnight itself (Chile, early September) a day starts at its first instant, 01:00, so
// ends are always taken as the start of the following day, never as start + 24 h of wall clock.

/** A local calendar date, 'YYYY-MM-DD'. */
export type DateKey = string;

/** Half-open interval [start, end) in epoch ms. */
export type Range = [start: number, end: number];

/** Saturday and Sunday, as `Date#getDay()` numbers them. */
const DEFAULT_WEEKEND: readonly number[] = [6, 0];

export type Holidays = readonly DateKey[] | ReadonlySet<DateKey>;

function zoned(ms: number, timeZone: string): TZDate {
	const date = new TZDate(ms, timeZone);
	// TZDate turns an unknown zone into an invalid date instead of throwing.
	if (Number.isNaN(date.getTime())) {
		throw new RangeError(`Invalid instant or time zone: ${ms}, ${timeZone}`);
	}
	return date;
}

const DATE_KEY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Local midnight of a date key, or the first instant of that day where midnight is skipped. */
function midnightOf(key: DateKey, timeZone: string): TZDate {
	const match = DATE_KEY.exec(key);
	const [year, month, day] = match ? match.slice(1).map(Number) : [NaN, NaN, NaN];
	// Round-trip through UTC so that '2026-02-30' is rejected rather than rolled into March.
	if (!match || format(new TZDate(year, month - 1, day, 'UTC'), 'yyyy-MM-dd') !== key) {
		throw new RangeError(`Invalid date key: ${key}`);
	}
	const midnight = new TZDate(year, month - 1, day, timeZone);
	if (Number.isNaN(midnight.getTime())) throw new RangeError(`Invalid time zone: ${timeZone}`);
	return midnight;
}

export function localDateKey(ms: number, timeZone: string): DateKey {
	return format(zoned(ms, timeZone), 'yyyy-MM-dd');
}

export function localDayRange(key: DateKey, timeZone: string): Range {
	const nextDay = addDaysToKey(key, 1);
	return [midnightOf(key, timeZone).getTime(), midnightOf(nextDay, timeZone).getTime()];
}

/** Calendar arithmetic on date keys; no time zone is involved. */
export function addDaysToKey(key: DateKey, days: number): DateKey {
	return format(addDays(midnightOf(key, 'UTC'), days), 'yyyy-MM-dd');
}

/** 0 = Sunday … 6 = Saturday. */
function weekdayOf(key: DateKey): number {
	return midnightOf(key, 'UTC').getDay();
}

/** The ISO week (Monday 00:00 to the next Monday 00:00, local) that contains `ms`. */
export function weekRange(ms: number, timeZone: string): Range {
	const start = startOfISOWeek(zoned(ms, timeZone));
	return [start.getTime(), startOfDay(addWeeks(start, 1)).getTime()];
}

/** ISO week key, e.g. '2026-W13'; the year is the ISO week-numbering year. */
export function weekKey(ms: number, timeZone: string): string {
	return format(zoned(ms, timeZone), "RRRR-'W'II");
}

export interface SeasonDates {
	startDate: DateKey;
	/** The last day of the season, inclusive. */
	endDate: DateKey;
	timeZone: string;
}

export interface SeasonWindow {
	startsAt: number;
	endsAt: number;
}

export interface ZonedSeason extends SeasonWindow {
	timeZone: string;
}

/** A season runs from local midnight of its first day to local midnight after its last day. */
export function seasonBounds({ startDate, endDate, timeZone }: SeasonDates): SeasonWindow {
	if (endDate < startDate) {
		throw new RangeError(`Season ends (${endDate}) before it starts (${startDate})`);
	}
	return {
		startsAt: midnightOf(startDate, timeZone).getTime(),
		endsAt: localDayRange(endDate, timeZone)[1]
	};
}

/** Calendar days from one date key to another (negative when `to` is earlier). */
function daysBetweenKeys(from: DateKey, to: DateKey): number {
	return Math.round(
		(midnightOf(to, 'UTC').getTime() - midnightOf(from, 'UTC').getTime()) / 86_400_000
	);
}

/**
 * The season's local days still to play at `now`, today included: 1 on its last day, 0 once it
 * has ended, its whole length before it starts. Counted on the calendar, never as 24-hour
 * blocks, so a 23- or 25-hour day is still one day.
 */
export function daysLeft(now: number, season: ZonedSeason): number {
	if (now >= season.endsAt) return 0;
	const lastDay = localDateKey(season.endsAt - 1, season.timeZone);
	const from = localDateKey(Math.max(now, season.startsAt), season.timeZone);
	return daysBetweenKeys(from, lastDay) + 1;
}

/** The first and last local day of a season (its end is exclusive). */
export function seasonDayBounds(season: ZonedSeason): { first: DateKey; last: DateKey } {
	return {
		first: localDateKey(season.startsAt, season.timeZone),
		last: localDateKey(season.endsAt - 1, season.timeZone)
	};
}

/** Every date key from `first` to `last`, inclusive. */
export function dayList(first: DateKey, last: DateKey): DateKey[] {
	const days: DateKey[] = [];
	// Note: a season is weeks or months long; the cap only guards against a misconfigured one.
	for (let key = first; key <= last && days.length < 800; key = addDaysToKey(key, 1))
		days.push(key);
	return days;
}

/** The season's local days from its first to today (or to its last day, once it has ended). */
export function playedDays(season: ZonedSeason, now: number): DateKey[] {
	const { first, last } = seasonDayBounds(season);
	const today = localDateKey(Math.max(season.startsAt, now), season.timeZone);
	return dayList(first, today < last ? today : last);
}

export const DAY_MS = 86_400_000;

/**
 * When an ended season's results become final: its end plus the grace days in which late
 * confirmations still count. (The scheduler archives it then.)
 */
export function graceEndsAt(season: { endsAt: number; graceDays: number }): number {
	return season.endsAt + season.graceDays * DAY_MS;
}

/** Quarterly is `{ every: 3, unit: 'month' }`. */
export interface Recurrence {
	every: number;
	unit: 'week' | 'month';
}

function shift(date: TZDate, { every, unit }: Recurrence): TZDate {
	if (unit === 'week') return addWeeks(date, every);
	const moved = addMonths(date, every); // clamps 31 Jan to 28/29 Feb
	// A month-end date stays at month end (31 Jan → 28 Feb → 31 Mar) so a series does not drift.
	return isLastDayOfMonth(date) ? setDate(moved, getDaysInMonth(moved)) : moved;
}

/**
 * The season after `season`, moved by the recurrence in the season's local wall-clock time.
 * - A back-to-back season (it lasts exactly one period, e.g. 1 Jan–31 Mar quarterly) stays
 *   back-to-back: the next one starts when this one ends.
 * - Otherwise, when the season ends at local midnight, its inclusive last day moves like the
 *   start does (1–30 Jan monthly → 1–28 Feb), so clamping can never make the next one empty.
 * - Month steps clamp to the month's length, and month-end dates stay at month end.
 */
export function nextSeason(season: ZonedSeason, recurrence: Recurrence): SeasonWindow {
	if (!Number.isInteger(recurrence.every) || recurrence.every < 1) {
		throw new RangeError(`Recurrence needs a positive whole number, got ${recurrence.every}`);
	}
	const start = zoned(season.startsAt, season.timeZone);
	const end = zoned(season.endsAt, season.timeZone);
	const startsAt = shift(start, recurrence).getTime();
	if (startsAt === end.getTime()) {
		return { startsAt, endsAt: shift(end, recurrence).getTime() };
	}
	let endsAt: number;
	if (startOfDay(end).getTime() === end.getTime()) {
		const lastDay = addDays(end, -1);
		endsAt = startOfDay(addDays(shift(lastDay, recurrence), 1)).getTime();
	} else {
		endsAt = shift(end, recurrence).getTime();
	}
	// Only sub-day seasons next to a month end can collapse; keep their length instead.
	if (endsAt <= startsAt) endsAt = startsAt + (season.endsAt - season.startsAt);
	return { startsAt, endsAt };
}

function asSet(holidays: Holidays): ReadonlySet<DateKey> {
	return holidays instanceof Set ? holidays : new Set(holidays);
}

export function isWorkingDate(
	key: DateKey,
	holidays: Holidays = [],
	weekend: readonly number[] = DEFAULT_WEEKEND
): boolean {
	return !weekend.includes(weekdayOf(key)) && !asSet(holidays).has(key);
}

// Ten years of holidays in a row is a configuration error, not a calendar.
const MAX_SEARCH_DAYS = 3660;

function stepToWorkingDate(
	key: DateKey,
	direction: 1 | -1,
	holidays: Holidays,
	weekend: readonly number[]
): DateKey {
	if ([0, 1, 2, 3, 4, 5, 6].every((day) => weekend.includes(day))) {
		throw new RangeError('Every day of the week is a weekend day');
	}
	const set = asSet(holidays);
	let candidate = key;
	for (let i = 0; i < MAX_SEARCH_DAYS; i++) {
		candidate = addDaysToKey(candidate, direction);
		if (isWorkingDate(candidate, set, weekend)) return candidate;
	}
	throw new RangeError(`No working day within ${MAX_SEARCH_DAYS} days of ${key}`);
}

/** The first working date strictly after `key`. */
export function nextWorkingDate(
	key: DateKey,
	holidays: Holidays = [],
	weekend: readonly number[] = DEFAULT_WEEKEND
): DateKey {
	return stepToWorkingDate(key, 1, holidays, weekend);
}
