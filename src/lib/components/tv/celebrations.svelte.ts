import { points } from '../../format/numbers';
import type { ActivityItem, BadgeEvent, LeaderboardSnapshot } from '$lib/realtime/events';

export interface Celebration {
	/** Deduplicates: the same badge, sale or climb is celebrated once. */
	key: string;
	kind: 'badge' | 'sale' | 'rank';
	emoji: string;
	/** A short label above the headline, e.g. "Badge earned". */
	kicker: string;
	/** Who: a person or a team. */
	who: string;
	/** What, completing "who …": "earned First sale". */
	what: string;
	detail?: string;
}

const SEEN_LIMIT = 500;

/**
 * The celebrations waiting for the screen: one shown at a time for `durationMs`, the rest
 * queued in arrival order (at most `max`, so a burst after a reconnect cannot hold the
 * rotation for minutes).
 */
export class CelebrationQueue {
	current = $state<Celebration | null>(null);
	pending = $state<Celebration[]>([]);

	private timer: ReturnType<typeof setTimeout> | undefined;
	private seen: string[] = [];

	constructor(
		private readonly durationMs = 6000,
		private readonly max = 6
	) {}

	push(celebration: Celebration): void {
		if (this.seen.includes(celebration.key)) return;
		this.seen = [...this.seen, celebration.key].slice(-SEEN_LIMIT);
		if (!this.current) this.show(celebration);
		else if (this.pending.length < this.max) this.pending = [...this.pending, celebration];
	}

	dispose(): void {
		clearTimeout(this.timer);
	}

	private show(celebration: Celebration | null): void {
		this.current = celebration;
		if (!celebration) return;
		this.timer = setTimeout(() => {
			const [next = null, ...rest] = this.pending;
			this.pending = rest;
			this.show(next);
		}, this.durationMs);
	}
}

export function badgeCelebration(event: BadgeEvent): Celebration {
	return {
		key: `badge:${event.badge.id}:${event.subjectType}:${event.subjectId}:${event.periodKey}`,
		kind: 'badge',
		emoji: event.badge.emoji,
		kicker: event.subjectType === 'team' ? 'Team badge earned' : 'Badge earned',
		who: event.userName ?? event.subjectName,
		what: `earned ${event.badge.name}`,
		detail: `${event.badge.description}${event.provisional ? ' · pending confirmation' : ''}`
	};
}

export function saleCelebration(item: ActivityItem): Celebration {
	return {
		key: item.id,
		kind: 'sale',
		emoji: '💰',
		kicker: 'Big sale',
		who: item.userName,
		what: `scored +${points(item.points)} points${item.provisional ? ' (pending)' : ''}`,
		detail: `${item.summary} · ${item.teamName}${item.provisional ? ' · pending confirmation' : ''}`
	};
}

/** People who reached the top 3 (or first place) between two snapshots. */
export function climbCelebrations(
	before: LeaderboardSnapshot,
	after: LeaderboardSnapshot
): Celebration[] {
	if (before.individual.length === 0 || after.version <= before.version) return [];
	// Nobody "climbs" by standing still at 0 points while everyone shares rank 1.
	const scored = (e: { points: number; provisionalPoints: number }) =>
		e.points + e.provisionalPoints > 0;
	const was: Record<number, number> = Object.fromEntries(
		before.individual.filter((e) => e.rank <= 3 && scored(e)).map((e) => [e.id, e.rank])
	);
	const medal = ['🥇', '🥈', '🥉'];
	return after.individual
		.filter((e) => e.rank <= 3 && scored(e))
		.filter((e) => (e.rank === 1 ? was[e.id] !== 1 : !(e.id in was)))
		.map((e) => ({
			key: `rank:${e.id}:${e.rank}:${after.version}`,
			kind: 'rank' as const,
			emoji: e.rank === 1 ? '👑' : medal[e.rank - 1],
			kicker: e.rank === 1 ? 'New leader' : 'Into the top 3',
			who: e.name,
			what: e.rank === 1 ? 'takes first place' : `climbs to #${e.rank}`,
			detail: `${points(e.points)} points${e.provisionalPoints > 0 ? ` +${points(e.provisionalPoints)} pending` : ''}${e.teamName ? ` · ${e.teamName}` : ''}`
		}));
}
