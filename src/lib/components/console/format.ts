// Formatting for the season console and the hall of fame: the one date formatter
// (src/lib/format/dates.ts), in the season's own time zone.
import { dateRange, formatAt } from '$lib/format/dates';

/** "3 Mar – 28 Apr 2026" (the end day inclusive: `endsAt` is the instant the season closes). */
export function seasonDates(startsAt: number, endsAt: number, timeZone: string): string {
	return dateRange(startsAt, endsAt, timeZone);
}

/** "12 May 2026" in the zone. */
export function day(ms: number, timeZone: string): string {
	return formatAt(ms, 'date', timeZone);
}

/** "12 May, 14:05" in the zone. */
export function dayTime(ms: number, timeZone: string): string {
	return formatAt(ms, 'dateTime', timeZone);
}

export function recurrenceLabel(
	recurrence: { every: number; unit: 'week' | 'month' } | null | undefined
): string | null {
	if (!recurrence) return null;
	const { every, unit } = recurrence;
	if (unit === 'month' && every === 3) return 'Repeats quarterly';
	if (every === 1) return unit === 'week' ? 'Repeats weekly' : 'Repeats monthly';
	return `Repeats every ${every} ${unit}s`;
}

export const STATUS_LABELS: Record<string, string> = {
	draft: 'Draft',
	scheduled: 'Scheduled',
	/** Scheduled, its start has come, but it has no people or products yet (not a stored status). */
	ready: 'Ready to launch',
	live: 'Live',
	ended: 'Ended',
	archived: 'Archived'
};
