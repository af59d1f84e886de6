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
	graceDays: string;
	removeBanner: boolean;
}

type SeasonField = keyof SeasonValues | 'banner' | 'cloneFrom';
export type SeasonErrors = Partial<Record<SeasonField, string>>;

/** How a new season starts: empty, from a built-in theme, or as a copy of another season. */
export type SeasonSource = 'scratch' | 'theme' | 'clone';

export const OTHER_ZONE = 'other';

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
