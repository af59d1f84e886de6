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
