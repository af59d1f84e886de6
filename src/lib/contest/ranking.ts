import type { TieRule } from './types';

export interface RankInput {
	id: number;
	name: string;
	points: number;
	provisionalPoints: number;
	/** When the subject reached its current score: earlier ranks first among equals. */
	reachedAt: number;
}

export type Ranked<T extends RankInput = RankInput> = T & { rank: number };

/**
 * Orders subjects by points (desc), then by who reached the score first, then by name and id,
 * so the order is deterministic. Equal points share a rank: 1, 2, 2, 4 (competition) or
 * 1, 2, 2, 3 (dense).
 */
export function rank<T extends RankInput>(
	entries: readonly T[],
	tieRule: TieRule = 'competition'
): Ranked<T>[] {
	const sorted = [...entries].sort(
		(a, b) =>
			b.points - a.points ||
			a.reachedAt - b.reachedAt ||
			a.name.localeCompare(b.name) ||
			a.id - b.id
	);
	const ranked: Ranked<T>[] = [];
	let distinct = 0;
	sorted.forEach((entry, index) => {
		const previous = ranked[index - 1];
		let position: number;
		if (previous && previous.points === entry.points) position = previous.rank;
		else {
			distinct += 1;
			position = tieRule === 'dense' ? distinct : index + 1;
		}
		ranked.push({ ...entry, rank: position });
	});
	return ranked;
}

export interface Gap {
	/** Rank the viewer would reach by passing the next subject up. */
	nextRank: number;
	nextName: string;
	/** Points needed to pass them (strictly more points). */
	pointsNeeded: number;
}

/** How far a subject is from overtaking the nearest subject with more points; null when on top. */
export function gapToNext(ranked: readonly Ranked[], id: number): Gap | null {
	const index = ranked.findIndex((entry) => entry.id === id);
	if (index <= 0) return null;
	const me = ranked[index];
	const above = ranked
		.slice(0, index)
		.reverse()
		.find((entry) => entry.points > me.points);
	if (!above) return null;
	return { nextRank: above.rank, nextName: above.name, pointsNeeded: above.points - me.points + 1 };
}
