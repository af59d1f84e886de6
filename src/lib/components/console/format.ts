// Formatting for the season console and the hall of fame. Dates are shown in the season's own
// time zone, so that the server's render and every browser agree.

function parts(ms: number, timeZone: string) {
	const f = new Intl.DateTimeFormat('en-GB', {
		day: 'numeric',
		month: 'short',
		year: 'numeric',
		timeZone
	});
	const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]));
	return { day: p.day, month: p.month, year: p.year };
}

/** "3 Mar – 28 Apr 2026" (the end day inclusive: `endsAt` is the instant the season closes). */
export function seasonDates(startsAt: number, endsAt: number, timeZone: string): string {
	const a = parts(startsAt, timeZone);
	const b = parts(Math.max(startsAt, endsAt - 1), timeZone);
	if (a.year !== b.year) return `${a.day} ${a.month} ${a.year} – ${b.day} ${b.month} ${b.year}`;
	if (a.month === b.month && a.day === b.day) return `${a.day} ${a.month} ${a.year}`;
	return `${a.day} ${a.month} – ${b.day} ${b.month} ${b.year}`;
}

/** "12 May 2026" in the zone. */
export function day(ms: number, timeZone: string): string {
	const p = parts(ms, timeZone);
	return `${p.day} ${p.month} ${p.year}`;
}

/** "12 May 2026, 14:05" in the zone. */
export function dayTime(ms: number, timeZone: string): string {
	return new Intl.DateTimeFormat('en-GB', {
		dateStyle: 'medium',
		timeStyle: 'short',
		timeZone
	}).format(ms);
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
