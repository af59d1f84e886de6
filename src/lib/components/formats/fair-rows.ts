import { rankByValue, type FairViewRow } from '$lib/contest/quota';
import type { DivisionViewEntry, Move } from '$lib/contest/division';

// The rows a fair ranking shows, whichever order and scope the viewer picked: a division's
// entries re-ranked by % of target or by improvement (the view sends the values), or the
// season-wide tops the 'quotas' view sends ranked.

export type FairMode = 'points' | 'attainment' | 'improved';

export interface FairRowView extends FairViewRow {
	move?: Move;
}

export function divisionRows(
	entries: readonly DivisionViewEntry[],
	mode: FairMode,
	tieRule: 'competition' | 'dense'
): FairRowView[] {
	if (mode === 'points')
		return entries.map((e) => ({
			id: e.id,
			name: e.name,
			points: e.counted,
			value: null,
			rank: e.rank,
			basis: null,
			move: e.move
		}));
	const input = entries.map((e) => ({
		id: e.id,
		name: e.name,
		points: e.counted,
		reachedAt: e.reachedAt,
		attainment: e.attainment,
		improvement: e.improvement,
		target: e.target
	}));
	return rankByValue(
		input,
		(e) => (mode === 'attainment' ? e.attainment : e.improvement),
		tieRule
	).map((e) => ({
		id: e.id,
		name: e.name,
		points: e.points,
		value: e.value,
		rank: e.rank,
		basis: mode === 'attainment' ? e.target : null
	}));
}
