import { rank } from './ranking';
import type { TieRule } from './types';

// Quota attainment and "most improved" (#17): two fairer orders for a board than raw points.
// Pure: the services read the standings, the targets and last season's results.

export interface FairInput {
	id: number;
	name: string;
	/** Points as the season ranks them (its rankBy). */
	points: number;
	/** When the person reached their score: the season's tie-breaker. */
	reachedAt: number;
}

/** Points as a share of the target (1 = 100 %); null without a target above zero. */
export function attainment(points: number, target: number | null | undefined): number | null {
	if (target == null || !(target > 0)) return null;
	return points / target;
}

export type FairEntry<T extends FairInput> = T & {
	/** The value the order ranks by (a share: 1 = 100 %), null when the person cannot be ranked. */
	value: number | null;
	/** Place among the ranked; null for those listed after (no target, no last season). */
	rank: number | null;
};

/**
 * Ranks by a value per person, with the season's tie rule and tie-breaker (equal values share
 * a place; earlier to reach the score first). People without a value are listed after the
 * ranked ones, unranked, by points.
 */
export function rankByValue<T extends FairInput>(
	entries: readonly T[],
	valueOf: (entry: T) => number | null,
	tieRule: TieRule = 'competition'
): FairEntry<T>[] {
	const valued = entries.map((e) => ({ entry: e, value: valueOf(e) }));
	const byId = new Map(entries.map((e) => [e.id, e]));
	const ranked = rank(
		valued.flatMap(({ entry, value }) =>
			value === null
				? []
				: [
						{
							id: entry.id,
							name: entry.name,
							points: value,
							provisionalPoints: 0,
							reachedAt: entry.reachedAt
						}
					]
		),
		tieRule
	);
	const first: FairEntry<T>[] = ranked.map((r) => ({
		...byId.get(r.id)!,
		value: r.points,
		rank: r.rank
	}));
	const after: FairEntry<T>[] = valued
		.filter((v) => v.value === null)
		.sort(
			(a, b) =>
				b.entry.points - a.entry.points ||
				a.entry.reachedAt - b.entry.reachedAt ||
				a.entry.name.localeCompare(b.entry.name) ||
				a.entry.id - b.entry.id
		)
		.map((v) => ({ ...v.entry, value: null, rank: null }));
	return [...first, ...after];
}

/** How much of a season has passed at `now`, from 0 (not started) to 1 (ended). */
export function elapsedShare(startsAt: number, endsAt: number, now: number): number {
	if (endsAt <= startsAt) return now >= endsAt ? 1 : 0;
	return Math.min(1, Math.max(0, (now - startsAt) / (endsAt - startsAt)));
}

/**
 * "Most improved against own last season": points now against last season's final points
 * pro-rated by the share of this season that has passed (last season's pace), as a change
 * (0.25 = 25 % ahead of last season's pace, -0.1 = 10 % behind). Null when there is no pace
 * to compare with: no last season, nothing scored in it, or this season not yet begun.
 */
export function improvement(
	points: number,
	lastSeasonPoints: number | null | undefined,
	share: number
): number | null {
	if (lastSeasonPoints == null || !(lastSeasonPoints > 0) || !(share > 0)) return null;
	return points / (lastSeasonPoints * share) - 1;
}

/** A share as a whole percentage for boards: 1.234 → 123. */
export const percent = (share: number) => Math.round(share * 100);

/** One row of a fair order, as the 'quotas' format view sends it. */
export interface FairViewRow {
	id: number;
	name: string;
	/** Points as the season ranks them. */
	points: number;
	/** The share ranked by; null for those listed after. */
	value: number | null;
	rank: number | null;
	/** The target (attainment) or last season's points (improved); null: none. */
	basis: number | null;
}

/** The live state of a season's fair orders (format view 'quotas'); null: no quotas, no last season. */
export interface QuotasView {
	/** Top people by % of target, then those without one (marked); `ranked`: how many have one. */
	attainment: { entries: FairViewRow[]; ranked: number };
	/** Top people against last season's pace; null when the season follows none. */
	improved: { entries: FairViewRow[]; ranked: number; share: number } | null;
	/** Every team by % of its target. */
	teams: FairViewRow[];
}

export const FAIR_VIEW_TOP = 10;
