import { tierFor, type Tier } from './tiers';

// Divisions (#17): who starts a season in which division, and who moves up or down at its end.
// Pure: the services read the people, their points and places, and write what these decide.
// Divisions are given by position, 1 = the top one.

export interface DivisionSlot {
	id: number;
	position: number;
}

/** How people are placed automatically: by last season's level, or by last season's place. */
export type PlacementMethod = 'tier' | 'last_place';

const byPosition = <T extends DivisionSlot>(divisions: readonly T[]) =>
	[...divisions].sort((a, b) => a.position - b.position);

/**
 * Division per person by the level (tier) their points reached last season. Levels and
 * divisions are matched from the bottom: the lowest level goes to the bottom division, the
 * next to the one above, and every level above the top division's share goes to the top. A
 * person below the first level, or new (null points), starts in the bottom division.
 */
export function placeByTier(
	people: readonly { id: number; points: number | null }[],
	divisions: readonly DivisionSlot[],
	tiers: readonly Tier[]
): Map<number, number> {
	const ordered = byPosition(divisions);
	const placed = new Map<number, number>();
	if (ordered.length === 0) return placed;
	const ascending = [...tiers].sort((a, b) => a.minPoints - b.minPoints);
	for (const person of people) {
		const tier = person.points === null ? null : tierFor(person.points, ascending);
		const fromBottom = tier ? ascending.indexOf(tier) : 0;
		const index = Math.max(0, ordered.length - 1 - fromBottom);
		placed.set(person.id, ordered[index].id);
	}
	return placed;
}

/**
 * Division per person by last season's final place: the ranking is cut into as many parts as
 * there are divisions, as even as possible (the upper divisions take the one extra person),
 * best places in the top division. People without a place last season (new) start in the
 * bottom division and do not take a place in the cut.
 */
export function placeByLastPlace(
	people: readonly { id: number; rank: number | null; name: string }[],
	divisions: readonly DivisionSlot[]
): Map<number, number> {
	const ordered = byPosition(divisions);
	const placed = new Map<number, number>();
	if (ordered.length === 0) return placed;
	const ranked = people
		.filter((p) => p.rank !== null)
		.sort((a, b) => a.rank! - b.rank! || a.name.localeCompare(b.name) || a.id - b.id);
	const base = Math.floor(ranked.length / ordered.length);
	const extra = ranked.length % ordered.length;
	let next = 0;
	ordered.forEach((d, i) => {
		const size = base + (i < extra ? 1 : 0);
		for (const p of ranked.slice(next, next + size)) placed.set(p.id, d.id);
		next += size;
	});
	const bottom = ordered[ordered.length - 1].id;
	for (const p of people) if (p.rank === null) placed.set(p.id, bottom);
	return placed;
}

export interface DivisionOutcome extends DivisionSlot {
	promote: number;
	relegate: number;
	/** The division's ranking, best first, in the order the board shows (tie-breaker applied). */
	ranked: readonly { id: number; points: number }[];
}

export type Move = 'up' | 'down' | 'stay';

/**
 * Where each person of each division plays next season (division id), and why. The top
 * `promote` of a division move up one (none from the top division) and the bottom `relegate`
 * move down one (none from the bottom division). The cut follows the ranking as shown, so a tie
 * at the cut is decided by the season's visible tie-breaker (earlier to reach the score ranks
 * first) and exactly `promote` people move. Nobody moves up without points. In a division too
 * small for both, promotion is decided first and the relegated come from the rest.
 */
export function seasonEndMoves(
	divisions: readonly DivisionOutcome[]
): Map<number, { divisionId: number; move: Move }> {
	const ordered = byPosition(divisions);
	const next = new Map<number, { divisionId: number; move: Move }>();
	ordered.forEach((d, i) => {
		const above = ordered[i - 1];
		const below = ordered[i + 1];
		const up = new Set(
			above
				? d.ranked
						.slice(0, Math.max(0, d.promote))
						.filter((p) => p.points > 0)
						.map((p) => p.id)
				: []
		);
		const rest = d.ranked.filter((p) => !up.has(p.id));
		const down = new Set(
			below && d.relegate > 0 ? rest.slice(-Math.min(d.relegate, rest.length)).map((p) => p.id) : []
		);
		for (const p of d.ranked) {
			if (up.has(p.id)) next.set(p.id, { divisionId: above!.id, move: 'up' });
			else if (down.has(p.id)) next.set(p.id, { divisionId: below!.id, move: 'down' });
			else next.set(p.id, { divisionId: d.id, move: 'stay' });
		}
	});
	return next;
}

/** One person on a division's board, as the 'divisions' format view sends it. */
export interface DivisionViewEntry {
	rank: number;
	id: number;
	name: string;
	points: number;
	provisionalPoints: number;
	/** What the ranking counts (the season's rankBy). */
	counted: number;
	reachedAt: number;
	/** Where the person would play next season if the season ended now. */
	move: Move;
	/** Share of the person's target (1 = 100 %), null without one. */
	attainment: number | null;
	/** The person's target points, null without one. */
	target: number | null;
	/** Change against last season's pace (0.2 = 20 % ahead), null without a last season. */
	improvement: number | null;
}

/** The live state of a season's divisions (format view 'divisions'); null: no divisions. */
export interface DivisionsView {
	tieRule: 'competition' | 'dense';
	divisions: {
		id: number;
		name: string;
		position: number;
		promote: number;
		relegate: number;
		prizes: { title: string; place?: number }[];
		/** How many play in it (entries show at most the first DIVISION_VIEW_TOP). */
		players: number;
		entries: DivisionViewEntry[];
	}[];
}

export const DIVISION_VIEW_TOP = 50;
