// The season form as the browser sends it (every value a string, as typed), shared by the
// console's form components and the server code that validates it.

export interface SeasonValues {
	name: string;
	primary: string;
	accent: string;
	emoji: string;
	tagline: string;
	/** One of COMMON_TIME_ZONES, or 'other' with the zone typed in `timeZoneOther`. */
	timeZone: string;
	timeZoneOther: string;
	/** Local dates 'YYYY-MM-DD'; the end date is the season's last day (inclusive). */
	startDate: string;
	endDate: string;
	recurrence: 'none' | 'week' | 'month';
	every: string;
	target: string;
	prize1: string;
	prize2: string;
	prize3: string;
	tieRule: 'competition' | 'dense';
	requireConfirmation: boolean;
	/** Several multipliers on one sale line: the best one wins, or they multiply. */
	multipliers: 'best' | 'multiply';
	graceDays: string;
	/** Points one sale may score before it waits for a manager. */
	maxSalePoints: string;
	removeBanner: boolean;
}

type SeasonField = keyof SeasonValues | 'banner' | 'cloneFrom';
export type SeasonErrors = Partial<Record<SeasonField, string>>;

/** How a new season starts: empty, from a built-in theme, or as a copy of another season. */
export type SeasonSource = 'scratch' | 'theme' | 'clone';

export const OTHER_ZONE = 'other';

/** What a colour field shows when it has no valid value (an `<input type=color>` needs one). */
export function validColour(value: string | null | undefined, fallback: string): string {
	return value && /^#[0-9a-fA-F]{6}$/.test(value) ? value.toLowerCase() : fallback;
}

/**
 * The last day of one run of a repeating season that starts on `startDate`: the day before the
 * next run starts (a quarter from 15 Jan ends on 14 Apr, from 1 Jan on 31 Mar). Month-end starts
 * stay month-end (31 Jan monthly ends on 27 Feb, the day before the next run on 28 Feb), as the
 * scheduler's next season does. '' when the date or the number is not valid.
 */
export function runEndDate(startDate: string, unit: 'week' | 'month', every: number): string {
	const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(startDate);
	if (!match || !Number.isInteger(every) || every < 1) return '';
	const [y, m, d] = match.slice(1).map(Number);
	const start = new Date(Date.UTC(y, m - 1, d));
	if (start.getUTCDate() !== d || start.getUTCMonth() !== m - 1) return '';
	let next: Date;
	if (unit === 'week') next = new Date(Date.UTC(y, m - 1, d + 7 * every));
	else {
		const lastOfTarget = new Date(Date.UTC(y, m - 1 + every + 1, 0)).getUTCDate();
		const lastOfStart = new Date(Date.UTC(y, m, 0)).getUTCDate();
		const day = d === lastOfStart ? lastOfTarget : Math.min(d, lastOfTarget);
		next = new Date(Date.UTC(y, m - 1 + every, day));
	}
	next.setUTCDate(next.getUTCDate() - 1);
	return next.toISOString().slice(0, 10);
}

export const COMMON_TIME_ZONES: readonly string[] = [
	'UTC',
	'Europe/London',
	'Europe/Dublin',
	'Europe/Lisbon',
	'Europe/Paris',
	'Europe/Berlin',
	'Europe/Amsterdam',
	'Europe/Madrid',
	'Europe/Rome',
	'Europe/Warsaw',
	'Europe/Prague',
	'Europe/Stockholm',
	'Europe/Helsinki',
	'Europe/Athens',
	'Europe/Istanbul',
	'Africa/Lagos',
	'Africa/Johannesburg',
	'Asia/Dubai',
	'Asia/Kolkata',
	'Asia/Singapore',
	'Asia/Shanghai',
	'Asia/Tokyo',
	'Australia/Sydney',
	'Pacific/Auckland',
	'America/Sao_Paulo',
	'America/Mexico_City',
	'America/New_York',
	'America/Toronto',
	'America/Chicago',
	'America/Denver',
	'America/Los_Angeles'
];

export function zoneValues(timeZone: string): Pick<SeasonValues, 'timeZone' | 'timeZoneOther'> {
	return COMMON_TIME_ZONES.includes(timeZone)
		? { timeZone, timeZoneOther: '' }
		: { timeZone: OTHER_ZONE, timeZoneOther: timeZone };
}
