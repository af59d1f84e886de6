// Formatting for the season console and the hall of fame: the one date formatter
// (src/lib/format/dates.ts), in the season's own time zone.
import { dateRange, formatAt } from '$lib/format/dates';
import { m } from '../../paraglide/messages.js';

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
	if (unit === 'month' && every === 3) return m.seasons_repeats_quarterly();
	if (every === 1)
		return unit === 'week' ? m.seasons_repeats_weekly() : m.seasons_repeats_monthly();
	return unit === 'week'
		? m.seasons_repeats_weeks({ count: every })
		: m.seasons_repeats_months({ count: every });
}

const STATUS_LABELS: Record<string, () => string> = {
	draft: m.seasons_status_draft,
	scheduled: m.seasons_status_scheduled,
	/** Scheduled, its start has come, but it has no people or products yet (not a stored status). */
	ready: m.seasons_status_ready,
	live: m.seasons_status_live,
	ended: m.seasons_status_ended,
	archived: m.seasons_status_archived
};

/** A season's status in the reader's language ("Live", "Ready to launch"). */
export function statusLabel(status: string): string {
	return STATUS_LABELS[status]?.() ?? status;
}
