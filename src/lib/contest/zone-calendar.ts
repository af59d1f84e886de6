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

// Working days on date keys, in plain UTC arithmetic (a date key has no zone): what
// calendar.ts's isWorkingDate and nextWorkingDate answer, without a TZDate per step.

const DEFAULT_WEEKEND: readonly number[] = [6, 0];
const DAY_MS = 86_400_000;

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
