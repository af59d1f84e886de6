// Text for the profile's charts: the short summaries that stand in for them (screen readers,
// and anyone who would rather read than look), and date labels.

export interface TimelinePoint {
	/** Local date, 'YYYY-MM-DD'. */
	day: string;
	points: number;
	/** Null before anyone in the season had points. */
	rank: number | null;
}

import { formatAt } from '$lib/format/dates';
import { points, signed } from '$lib/format/numbers';
import { m } from '$lib/paraglide/messages.js';

/** '2026-10-12' → '12 Oct'. Date keys are calendar dates, so they are read as UTC. */
export function dayLabel(day: string): string {
	const [y, m, d] = day.split('-').map(Number);
	return formatAt(Date.UTC(y, m - 1, d), 'dayMonth', 'UTC');
}

export function pointsSummary(timeline: readonly TimelinePoint[]): string {
	if (timeline.length === 0) return m.people_profile_no_points();
	const last = timeline[timeline.length - 1];
	let best = { gain: 0, day: '' };
	timeline.forEach((point, i) => {
		const gain = point.points - (i > 0 ? timeline[i - 1].points : 0);
		if (gain > best.gain) best = { gain, day: point.day };
	});
	if (best.gain === 0) return m.people_profile_no_points_since({ day: dayLabel(timeline[0].day) });
	const weekAgo = timeline[Math.max(0, timeline.length - 8)];
	const lastWeek = timeline.length > 7 ? last.points - weekAgo.points : last.points;
	const said = {
		count: last.points,
		n: points(last.points),
		since: dayLabel(timeline[0].day),
		best: dayLabel(best.day),
		gain: points(best.gain)
	};
	return timeline.length > 7
		? m.people_profile_points_summary_week({
				...said,
				week: lastWeek === 0 ? '+0' : signed(lastWeek)
			})
		: m.people_profile_points_summary(said);
}

export function rankSummary(timeline: readonly TimelinePoint[], of: number): string {
	const ranked = timeline.filter((p): p is TimelinePoint & { rank: number } => p.rank !== null);
	if (ranked.length === 0) return m.people_profile_no_ranking();
	const now = ranked[ranked.length - 1];
	const first = ranked[0];
	const best = ranked.reduce((a, b) => (b.rank < a.rank ? b : a));
	if (ranked.length === 1) return m.people_profile_rank_now({ rank: now.rank, of });
	const started = { rank: now.rank, of, first: first.rank, firstDay: dayLabel(first.day) };
	return best.rank === now.rank
		? m.people_profile_rank_now_best(started)
		: m.people_profile_rank_history({ ...started, best: best.rank, bestDay: dayLabel(best.day) });
}
