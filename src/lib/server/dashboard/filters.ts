import {
	addDaysToKey,
	localDateKey,
	seasonDayBounds,
	weekRange,
	type DateKey
} from '../../contest/calendar';

// The dashboard's filters: a team and a period, read from the URL and resolved to the local days
// of a season.

export type PeriodPreset = 'season' | 'week' | '7d' | 'custom';

export interface DashboardFilters {
	teamId: number | null;
	period: PeriodPreset;
	/** Inclusive local dates, for the 'custom' period. */
	from?: DateKey | null;
	to?: DateKey | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Reads the dashboard's GET form; anything unreadable falls back to the whole season. */
export function parseFilters(params: URLSearchParams): DashboardFilters {
	const team = Number(params.get('team'));
	const teamId = Number.isInteger(team) && team > 0 ? team : null;
	const from = params.get('from') ?? '';
	const to = params.get('to') ?? '';
	const preset = params.get('period');
	if (preset === 'week' || preset === '7d') return { teamId, period: preset };
	if (
		(!preset || preset === 'custom') &&
		DATE.test(from) &&
		DATE.test(to) &&
		isDate(from) &&
		isDate(to)
	) {
		return from <= to
			? { teamId, period: 'custom', from, to }
			: { teamId, period: 'custom', from: to, to: from };
	}
	return { teamId, period: 'season' };
}

function isDate(key: string): boolean {
	const d = new Date(`${key}T00:00:00Z`);
	return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === key;
}

export interface SeasonSpan {
	startsAt: number;
	endsAt: number;
	timeZone: string;
}

/** The inclusive local dates a filter covers, clipped to the season. */
export function resolvePeriod(
	s: SeasonSpan,
	filters: DashboardFilters,
	now: number
): { from: DateKey; to: DateKey } {
	const { first, last } = seasonDayBounds(s);
	// A season that is over (or not begun) is looked at from its last (or first) day.
	const ref = Math.min(Math.max(now, s.startsAt), s.endsAt - 1);
	const today = localDateKey(ref, s.timeZone);
	let from = first;
	let to = last;
	if (filters.period === 'week') {
		from = localDateKey(weekRange(ref, s.timeZone)[0], s.timeZone);
		to = today;
	} else if (filters.period === '7d') {
		from = addDaysToKey(today, -6);
		to = today;
	} else if (filters.period === 'custom' && filters.from && filters.to) {
		from = filters.from;
		to = filters.to;
	}
	from = from < first ? first : from > last ? last : from;
	to = to > last ? last : to < from ? from : to;
	return { from, to };
}
