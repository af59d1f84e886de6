import { TZDate } from '@date-fns/tz';
import { localDateKey, weekKey, weekRange, type DateKey } from '../../../contest/calendar';

// When the weekly digest and the managers' daily summary are due (pure): at a fixed local hour
// of the season's time zone, Monday for the digest, every day for the summary. "Due" holds from
// that instant until the period ends, so the first check after it sends (a server that was down
// at 08:00 sends at its first check later); the dedupe key of the period makes it once only.

/** The local hour both go out at. */
export const SEND_HOUR = 8;

export interface DueSlot {
	/** The period the send belongs to: an ISO week ('2026-W49') or a local date ('2026-12-02'). */
	key: string;
	/** The instant it is due (epoch ms). */
	at: number;
	/** The local date of that instant. */
	date: DateKey;
}

/** `hour`:00 wall-clock time on a local date (a DST day's 08:00 exists in every zone we know). */
export function localTimeOn(date: DateKey, hour: number, timeZone: string): number {
	const [y, mo, d] = date.split('-').map(Number);
	return new TZDate(y, mo - 1, d, hour, 0, 0, timeZone).getTime();
}

/** This week's digest slot: Monday `SEND_HOUR`:00 of the ISO week containing `now`, locally. */
export function weeklySlot(now: number, timeZone: string): DueSlot {
	const monday = localDateKey(weekRange(now, timeZone)[0], timeZone);
	return {
		key: weekKey(now, timeZone),
		at: localTimeOn(monday, SEND_HOUR, timeZone),
		date: monday
	};
}

/** Today's summary slot: `SEND_HOUR`:00 of the local date of `now`. */
export function dailySlot(now: number, timeZone: string): DueSlot {
	const date = localDateKey(now, timeZone);
	return { key: date, at: localTimeOn(date, SEND_HOUR, timeZone), date };
}

/**
 * The slot due now for a live season, or null: its instant has passed and falls inside the
 * season (a season that starts on Monday at noon has no digest that Monday: nothing to tell).
 */
export function dueSlot(
	kind: 'weekly' | 'daily',
	now: number,
	season: { timeZone: string; startsAt: number; endsAt: number }
): DueSlot | null {
	const slot = (kind === 'weekly' ? weeklySlot : dailySlot)(now, season.timeZone);
	return now >= slot.at && slot.at >= season.startsAt && slot.at < season.endsAt ? slot : null;
}
