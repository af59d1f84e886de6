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

/** '2026-10-12' → '12 Oct'. Date keys are calendar dates, so they are read as UTC. */
export function dayLabel(day: string): string {
	const [y, m, d] = day.split('-').map(Number);
	return formatAt(Date.UTC(y, m - 1, d), 'dayMonth', 'UTC');
}

const n = (value: number) => value.toLocaleString('en');

export function pointsSummary(timeline: readonly TimelinePoint[]): string {
	if (timeline.length === 0) return 'No points yet.';
	const last = timeline[timeline.length - 1];
	let best = { gain: 0, day: '' };
	timeline.forEach((point, i) => {
		const gain = point.points - (i > 0 ? timeline[i - 1].points : 0);
		if (gain > best.gain) best = { gain, day: point.day };
	});
	if (best.gain === 0) return `No points yet since ${dayLabel(timeline[0].day)}.`;
	const weekAgo = timeline[Math.max(0, timeline.length - 8)];
	const lastWeek = timeline.length > 7 ? last.points - weekAgo.points : last.points;
	const parts = [`${n(last.points)} points since ${dayLabel(timeline[0].day)}`];
	if (timeline.length > 7)
		parts.push(`${lastWeek >= 0 ? '+' : ''}${n(lastWeek)} in the last 7 days`);
	return `${parts.join(', ')}. Best day: ${dayLabel(best.day)} (+${n(best.gain)}).`;
}

export function rankSummary(timeline: readonly TimelinePoint[], of: number): string {
	const ranked = timeline.filter((p): p is TimelinePoint & { rank: number } => p.rank !== null);
	if (ranked.length === 0) return 'No ranking yet: nobody has scored this season.';
	const now = ranked[ranked.length - 1];
	const first = ranked[0];
	const best = ranked.reduce((a, b) => (b.rank < a.rank ? b : a));
	const parts = [`Now #${now.rank} of ${of}`];
	if (ranked.length > 1) {
		parts.push(
			best.rank === now.rank ? 'the best so far' : `best #${best.rank} (${dayLabel(best.day)})`
		);
		parts.push(`started at #${first.rank} (${dayLabel(first.day)})`);
	}
	return `${parts.join('; ')}.`;
}
