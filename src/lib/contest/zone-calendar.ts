import { TZDate, tzOffset } from '@date-fns/tz';
import {
	localDateKey,
	localDayRange,
	weekKey,
	weekRange,
	type DateKey,
	type Range
} from './calendar';

// The local day and ISO week of an instant, remembered per time zone: computing them with
// TZDate costs tens of microseconds each (time-zone offsets through Intl), and the badge facts
// and criteria ask for the same few dozen days and weeks of a season for every sale. A day or
// week is computed once by calendar.ts and then found by its [start, end) range, so the answers
// are calendar.ts's own.

interface Period {
	start: number;
	end: number;
	key: string;
}

class Periods {
	private sorted: Period[] = [];
	constructor(private readonly make: (ms: number) => Period) {}

	of(ms: number): Period {
		const list = this.sorted;
		let lo = 0;
		let hi = list.length - 1;
		while (lo <= hi) {
			const mid = (lo + hi) >> 1;
			const p = list[mid];
			if (ms < p.start) hi = mid - 1;
			else if (ms >= p.end) lo = mid + 1;
			else return p;
		}
		const made = this.make(ms);
		// A season spans weeks or months; a bound keeps a long-running process's memory flat.
		if (list.length >= 20_000) list.length = 0;
		const at = list.findIndex((p) => p.start > made.start);
		list.splice(at < 0 ? list.length : at, 0, made);
		return made;
	}
}

const zones = new Map<string, { days: Periods; weeks: Periods }>();

function zone(timeZone: string) {
	let z = zones.get(timeZone);
	if (!z) {
		z = {
			days: new Periods((ms) => {
				const key = localDateKey(ms, timeZone);
				const [start, end] = localDayRange(key, timeZone);
				return { start, end, key };
			}),
			weeks: new Periods((ms) => {
				const [start, end] = weekRange(ms, timeZone);
				return { start, end, key: weekKey(ms, timeZone) };
			})
		};
		zones.set(timeZone, z);
	}
	return z;
}

/** localDateKey, remembered. */
export function dayKeyOf(ms: number, timeZone: string): DateKey {
	return zone(timeZone).days.of(ms).key;
}

/** localDayRange of the day containing `ms`, remembered. */
export function dayRangeOf(ms: number, timeZone: string): Range {
	const p = zone(timeZone).days.of(ms);
	return [p.start, p.end];
}

/** weekKey, remembered. */
export function weekKeyOf(ms: number, timeZone: string): string {
	return zone(timeZone).weeks.of(ms).key;
}

/** weekRange, remembered. */
export function weekRangeOf(ms: number, timeZone: string): Range {
	const p = zone(timeZone).weeks.of(ms);
	return [p.start, p.end];
}

// A wall-clock time read in a zone (an import's zone-less times, one per row). TZDate works out
// the zone's offset through Intl on every call; on a day whose offset does not change, a time is
// its day's midnight plus the time of day, so TZDate is asked once per day. A day near a DST
// change (or any offset change of the zone, or of the system's zone, which TZDate also reads)
// asks TZDate every time, so the answers are TZDate's own.
//
// Note: assumes a zone never changes its offset twice within three days and back to the same
// offset, which the tz database has no example of: offsets are compared at four instants only.

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Per zone: each local day (by Date.UTC of its date / DAY_MS) → its midnight, NaN if irregular. */
const midnights = new Map<string, Map<number, number>>();

function regularMidnight(timeZone: string, year: number, month: number, day: number): number {
	const start = new TZDate(year, month, day, timeZone).getTime();
	const end = new TZDate(year, month, day + 1, timeZone).getTime();
	if (end - start !== DAY_MS) return NaN;
	const around = [start - 26 * HOUR_MS, end, end + 26 * HOUR_MS];
	const zoneOffset = tzOffset(timeZone, new Date(start));
	const systemOffset = new Date(start).getTimezoneOffset();
	const steady = around.every(
		(ms) =>
			tzOffset(timeZone, new Date(ms)) === zoneOffset &&
			new Date(ms).getTimezoneOffset() === systemOffset
	);
	return steady ? start : NaN;
}

/**
 * `new TZDate(year, month, day, hour, minute, second, ms, timeZone).getTime()` (month from 0),
 * remembered per zone and day.
 */
export function wallClockInstant(
	timeZone: string,
	year: number,
	month: number,
	day: number,
	hour: number,
	minute: number,
	second: number,
	ms: number
): number {
	// A time of day out of its range rolls into another day (as Date's fields do): TZDate's.
	const regularTime =
		isWithin(hour, 23) && isWithin(minute, 59) && isWithin(second, 59) && isWithin(ms, 999);
	let midnight = NaN;
	if (regularTime) {
		let days = midnights.get(timeZone);
		if (!days) midnights.set(timeZone, (days = new Map()));
		const key = Date.UTC(year, month, day) / DAY_MS;
		const known = days.get(key);
		if (known !== undefined) midnight = known;
		else {
			// A few years of days per zone; a bound keeps a long-running process's memory flat.
			if (days.size >= 20_000) days.clear();
			days.set(key, (midnight = regularMidnight(timeZone, year, month, day)));
		}
	}
	if (Number.isNaN(midnight))
		return new TZDate(year, month, day, hour, minute, second, ms, timeZone).getTime();
	return midnight + hour * HOUR_MS + minute * 60_000 + second * 1000 + ms;
}

const isWithin = (n: number, max: number) => Number.isInteger(n) && n >= 0 && n <= max;

// Working days on date keys, in plain UTC arithmetic (a date key has no zone): what
// calendar.ts's isWorkingDate and nextWorkingDate answer, without a TZDate per step.

const DEFAULT_WEEKEND: readonly number[] = [6, 0];

function weekday(key: DateKey): number {
	return new Date(`${key}T00:00:00Z`).getUTCDay();
}

/** isWorkingDate of calendar.ts. */
export function isWorkingDay(
	key: DateKey,
	holidays: ReadonlySet<DateKey>,
	weekend: readonly number[] = DEFAULT_WEEKEND
): boolean {
	return !weekend.includes(weekday(key)) && !holidays.has(key);
}

/** nextWorkingDate of calendar.ts. */
export function nextWorkingDay(
	key: DateKey,
	holidays: ReadonlySet<DateKey>,
	weekend: readonly number[] = DEFAULT_WEEKEND
): DateKey {
	if ([0, 1, 2, 3, 4, 5, 6].every((day) => weekend.includes(day)))
		throw new RangeError('Every day of the week is a weekend day');
	let ms = Date.parse(`${key}T00:00:00Z`);
	for (let i = 0; i < 3660; i++) {
		ms += DAY_MS;
		const candidate = new Date(ms).toISOString().slice(0, 10);
		if (isWorkingDay(candidate, holidays, weekend)) return candidate;
	}
	throw new RangeError(`No working day within 3660 days of ${key}`);
}
