// The one way to show a date or a time: always in the season's time zone (so the server's render
// and every browser agree, whatever zone each runs in) and in one style on every page, in the
// reader's language (the current one unless a caller passes an Intl locale). Client-safe, like
// money.ts and numbers.ts.
import { intlLocale } from '../i18n/current';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

type Style = 'date' | 'dateTime' | 'time' | 'dayMonth' | 'weekday' | 'monthYear' | 'year';

const STYLES: Record<Style, Intl.DateTimeFormatOptions> = {
	/** 3 Dec 2026 */
	date: { day: 'numeric', month: 'short', year: 'numeric' },
	/** 3 Dec, 14:05 */
	dateTime: { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' },
	/** 14:05 */
	time: { hour: '2-digit', minute: '2-digit' },
	/** 3 Dec */
	dayMonth: { day: 'numeric', month: 'short' },
	/** Thu 3 Dec */
	weekday: { weekday: 'short', day: 'numeric', month: 'short' },
	/** December 2026 */
	monthYear: { month: 'long', year: 'numeric' },
	/** 2026 */
	year: { year: 'numeric' }
};

const cache = new Map<string, Intl.DateTimeFormat>();

function formatter(style: Style, timeZone: string, locale: string): Intl.DateTimeFormat {
	const key = `${style}|${timeZone}|${locale}`;
	let format = cache.get(key);
	if (!format) {
		format = new Intl.DateTimeFormat(locale, { ...STYLES[style], timeZone });
		cache.set(key, format);
	}
	return format;
}

/** Formats epoch milliseconds in a named style, in the given (season's) time zone. */
export function formatAt(
	ms: number,
	style: Style,
	timeZone = 'UTC',
	locale: string = intlLocale()
): string {
	return formatter(style, timeZone, locale).format(ms);
}

/** The formatters for one time zone, for components that show many dates of one season. */
export function datesIn(timeZone: string | undefined, locale: string = intlLocale()) {
	const zone = timeZone ?? 'UTC';
	return {
		date: (ms: number) => formatAt(ms, 'date', zone, locale),
		dateTime: (ms: number) => formatAt(ms, 'dateTime', zone, locale),
		time: (ms: number) => formatAt(ms, 'time', zone, locale),
		dayMonth: (ms: number) => formatAt(ms, 'dayMonth', zone, locale),
		weekday: (ms: number) => formatAt(ms, 'weekday', zone, locale),
		monthYear: (ms: number) => formatAt(ms, 'monthYear', zone, locale),
		/**
		 * "3 Dec – 9 Dec 2026" for a half-open range [start, end); "3 Dec 2026" for one day and
		 * "28 Dec 2026 – 3 Jan 2027" across years.
		 */
		range: (start: number, end: number) => dateRange(start, end, zone, locale)
	};
}

export type Dates = ReturnType<typeof datesIn>;

/** A half-open range [start, end) of days, as `datesIn(zone).range` shows it. */
export function dateRange(
	start: number,
	end: number,
	timeZone = 'UTC',
	locale: string = intlLocale()
): string {
	const last = Math.max(start, end - 1);
	const first = formatAt(start, 'date', timeZone, locale);
	const final = formatAt(last, 'date', timeZone, locale);
	if (first === final) return first;
	if (formatAt(start, 'year', timeZone, locale) !== formatAt(last, 'year', timeZone, locale))
		return `${first} – ${final}`;
	return `${formatAt(start, 'dayMonth', timeZone, locale)} – ${final}`;
}

const relative = new Map<string, Intl.RelativeTimeFormat>();

/**
 * "just now", "5 minutes ago", "3 hours ago", "yesterday", "2 days ago" (and the future
 * equivalents). Hours give way to days after 24 hours, so nothing reads "35 hours ago".
 */
export function ago(at: number, now: number, locale: string = intlLocale()): string {
	let rtf = relative.get(locale);
	if (!rtf) {
		rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
		relative.set(locale, rtf);
	}
	const diff = at - now;
	const abs = Math.abs(diff);
	if (abs < MINUTE) return rtf.format(0, 'second');
	if (abs < HOUR) return rtf.format(Math.round(diff / MINUTE), 'minute');
	if (abs < DAY) return rtf.format(Math.round(diff / HOUR), 'hour');
	return rtf.format(Math.round(diff / DAY), 'day');
}

/** How long something has been waiting: "now", "5 minutes", "3 hours", "2 days" (in words of `locale`). */
export function age(since: number, now: number, locale: string = intlLocale()): string {
	const ms = Math.max(0, now - since);
	if (ms < MINUTE) return ago(now, now, locale);
	const [n, unit] =
		ms < HOUR
			? [Math.floor(ms / MINUTE), 'minute']
			: ms < DAY
				? [Math.floor(ms / HOUR), 'hour']
				: [Math.floor(ms / DAY), 'day'];
	return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(n);
}
