import { points as formatPoints, signed } from '../../format/numbers';
import type { BadgeEvent, LeaderboardEntry, LeaderboardSnapshot } from '$lib/realtime/events';

// What the board celebrates and how it words it: badges (a record sale is a badge too), team
// targets and moves into the top 3. Pure, so the wording and the rules can be tested alone.

/** Something worth a bigger celebration on the viewer's own screen. */
export interface Moment {
	key: string;
	emoji: string;
	/** e.g. "First sale" or "#2 on the board". */
	name: string;
	description: string;
	/** Bonus points that came with it. */
	points: number;
	/** The badge (and its points) waits for its sale's confirmation. */
	pending?: boolean;
	kind: 'badge' | 'team' | 'podium';
}

export interface ToastText {
	title: string;
	description?: string;
}

export interface Viewer {
	userId: number;
	/** The viewer's team in the season, when they take part. */
	teamId?: number;
}

export const MEDALS = ['🥇', '🥈', '🥉'];

/** One key per award, so a badge that arrives twice (a reconnect) is celebrated once. */
export const awardKey = (e: BadgeEvent) =>
	`${e.badge.id}:${e.subjectType}:${e.subjectId}:${e.periodKey}`;

/** True when the award is the viewer's own (or their team's): they get the big celebration. */
export function isViewers(e: BadgeEvent, viewer: Viewer): boolean {
	if (e.subjectType === 'team') return viewer.teamId !== undefined && e.subjectId === viewer.teamId;
	return (e.userId ?? e.subjectId) === viewer.userId;
}

const bonus = (points: number, pending?: boolean) =>
	points > 0 ? ` · ${signed(points)} pts${pending ? ' pending' : ''}` : '';

/** "1,234 pts", and the pending ones apart, as the board shows them. */
const standing = (e: LeaderboardEntry) =>
	`${formatPoints(e.points)} pts${e.provisionalPoints > 0 ? ` (+${formatPoints(e.provisionalPoints)} pending)` : ''}`;

export function badgeToast(e: BadgeEvent): ToastText {
	if (e.subjectType === 'team') {
		return {
			title: `${e.badge.emoji} ${e.subjectName} reached their target`,
			description: e.badge.name
		};
	}
	const name = e.userName ?? e.subjectName;
	return {
		title: `${e.badge.emoji} ${name} earned ${e.badge.name}`,
		description: `${e.badge.description}${bonus(e.badge.points, e.provisional)}` || undefined
	};
}

/** Many awards of one badge at once (a new badge, a week ending): one toast instead of a flood. */
function groupToast(events: readonly BadgeEvent[]): ToastText {
	const { badge } = events[0];
	const names = events.map((e) => e.userName ?? e.subjectName);
	const who = events[0].subjectType === 'team' ? 'teams' : 'people';
	const listed =
		names.length > 3
			? `${names.slice(0, 2).join(', ')} and ${names.length - 2} more`
			: names.join(', ');
	return { title: `${badge.emoji} ${badge.name} for ${events.length} ${who}`, description: listed };
}

/** Up to this many awards of one badge arriving together get a toast each. */
const GROUP_FROM = 3;

/** Splits a burst of awards (others' only) into one toast per award or one per badge. */
export function burstToasts(events: readonly BadgeEvent[]): ToastText[] {
	const byBadge = new Map<number, BadgeEvent[]>();
	for (const e of events) byBadge.set(e.badge.id, [...(byBadge.get(e.badge.id) ?? []), e]);
	return [...byBadge.values()].flatMap((group) =>
		group.length >= GROUP_FROM ? [groupToast(group)] : group.map(badgeToast)
	);
}

export function badgeMoment(e: BadgeEvent): Moment {
	return {
		key: awardKey(e),
		emoji: e.badge.emoji,
		name: e.badge.name,
		description:
			e.subjectType === 'team'
				? `${e.subjectName} reached the target together. ${e.badge.description}`
				: e.badge.description,
		points: e.subjectType === 'user' ? e.badge.points : 0,
		pending: !!e.provisional,
		kind: e.subjectType === 'team' ? 'team' : 'badge'
	};
}

/**
 * People who moved into the top 3 between two snapshots: ranked below 3 (or not on the board)
 * before, 3 or better now. Nobody "enters" with no points, so a season where everyone is tied
 * at zero celebrates nothing.
 */
export function enteredTopThree(
	before: LeaderboardSnapshot,
	after: LeaderboardSnapshot
): LeaderboardEntry[] {
	if (before.seasonId !== after.seasonId || after.version <= before.version) return [];
	const old = new Map(before.individual.map((e) => [e.id, e.rank]));
	return after.individual.filter(
		(e) => e.rank <= 3 && (old.get(e.id) ?? Infinity) > 3 && e.points + e.provisionalPoints > 0
	);
}

export function podiumToast(e: LeaderboardEntry): ToastText {
	return {
		title: `${MEDALS[e.rank - 1] ?? '🏅'} ${e.name} moved into the top 3`,
		description: `Now #${e.rank} with ${standing(e)}`
	};
}

export function podiumMoment(e: LeaderboardEntry, version: number): Moment {
	return {
		key: `podium:${e.id}:${version}`,
		emoji: MEDALS[e.rank - 1] ?? '🏅',
		name: `#${e.rank} on the board`,
		description:
			e.rank === 1
				? `You lead the season with ${standing(e)}. Hold on to it!`
				: `You moved into the top 3 with ${standing(e)}. Hold on to it!`,
		points: 0,
		kind: 'podium'
	};
}

const weight = (m: Moment) =>
	m.kind === 'podium' ? 3 : m.kind === 'team' ? 2 : m.points > 0 ? 1 : 0;

/** The biggest news first: a podium place, then a team success, then badges with a bonus. */
export function byImportance(moments: readonly Moment[]): Moment[] {
	return [...moments].sort((a, b) => weight(b) - weight(a));
}

/** The heading of the celebration for what it shows. */
export function momentsTitle(moments: readonly Moment[]): string {
	if (moments.length > 1) {
		const badges = moments.filter((m) => m.kind === 'badge').length;
		return badges === moments.length ? `You earned ${badges} badges!` : 'What a moment!';
	}
	const [only] = moments;
	if (only?.kind === 'team') return 'Your team did it!';
	if (only?.kind === 'podium') return 'You made the top 3!';
	return 'You earned a badge!';
}
