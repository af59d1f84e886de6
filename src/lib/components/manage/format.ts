// Formatting shared by the contest console. Dates are shown in the season's time zone so that
// the server's render and the browser's agree, whatever zone either runs in.

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export { points, signed } from '$lib/format/numbers';

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** How long something has been waiting, e.g. "3 days", "5 hours", "just now". */
export function age(since: number, now: number): string {
	const ms = Math.max(0, now - since);
	if (ms < MINUTE) return 'just now';
	if (ms < HOUR) return plural(Math.floor(ms / MINUTE), 'minute');
	if (ms < DAY) return plural(Math.floor(ms / HOUR), 'hour');
	return plural(Math.floor(ms / DAY), 'day');
}

export function dateTime(timeZone: string | undefined) {
	const format = new Intl.DateTimeFormat('en-GB', {
		day: 'numeric',
		month: 'short',
		hour: '2-digit',
		minute: '2-digit',
		timeZone: timeZone ?? 'UTC'
	});
	return (ms: number) => format.format(ms);
}
