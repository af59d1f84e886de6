// Levels a participant climbs with their season points.

export interface Tier {
	name: string;
	minPoints: number;
	emoji?: string;
}

/** Thresholds sized for seasons of a few weeks at tens of points per sale. */
/** The most levels a season can have, and the longest level name. */
export const MAX_TIERS = 12;
export const TIER_NAME_MAX = 30;

export const DEFAULT_TIERS: readonly Tier[] = [
	{ name: 'Bronze', minPoints: 0, emoji: '🥉' },
	{ name: 'Silver', minPoints: 500, emoji: '🥈' },
	{ name: 'Gold', minPoints: 1500, emoji: '🥇' },
	{ name: 'Platinum', minPoints: 4000, emoji: '💎' }
];

export interface TierProgress {
	/** null below the first tier. */
	current: Tier | null;
	/** null at the top tier. */
	next: Tier | null;
	/** Points still missing to reach `next`; null at the top tier. */
	pointsToNext: number | null;
	/** 0–1 of the way from the current tier (or from 0) to the next; 1 at the top tier. */
	fraction: number;
}

// Tiers may come from a season's settings in any order.
function ascending(tiers: readonly Tier[]): Tier[] {
	return [...tiers].sort((a, b) => a.minPoints - b.minPoints);
}

/** The highest tier whose threshold the points reach; a threshold is reached when met exactly. */
export function tierFor(points: number, tiers: readonly Tier[] = DEFAULT_TIERS): Tier | null {
	return (
		ascending(tiers)
			.reverse()
			.find((tier) => points >= tier.minPoints) ?? null
	);
}

export function progress(points: number, tiers: readonly Tier[] = DEFAULT_TIERS): TierProgress {
	const sorted = ascending(tiers);
	const current = tierFor(points, sorted);
	const next = sorted.find((tier) => tier.minPoints > points) ?? null;
	if (!next) return { current, next, pointsToNext: null, fraction: current ? 1 : 0 };
	const from = current ? current.minPoints : Math.min(0, next.minPoints);
	const span = next.minPoints - from;
	const fraction = span > 0 ? Math.min(1, Math.max(0, (points - from) / span)) : 0;
	return { current, next, pointsToNext: next.minPoints - points, fraction };
}
