import { points as formatPoints, signed } from '$lib/format/numbers';
import { m } from '$lib/paraglide/messages.js';
import type { BadgeEvent, LeaderboardEntry, LeaderboardSnapshot } from '$lib/realtime/events';

// What the board celebrates and how it words it: badges (a record sale is a badge too), team
// targets and moves into the top 3. Pure, so the wording and the rules can be tested alone. The
// words are the viewer's: each board (and TV) words the events it receives in its own language.

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

/** "+1,500 pts" (and "pending"), the bonus that came with a badge; '' without one. */
function bonus(points: number, pending?: boolean): string {
	if (points <= 0) return '';
	const n = { count: points, n: signed(points) };
	return pending ? m.board_pts_pending(n) : m.board_pts(n);
}

/** "1,234 pts", and the pending ones apart, as the board shows them. */
function standing(e: LeaderboardEntry): string {
	const points = m.board_pts({ count: e.points, n: formatPoints(e.points) });
	if (e.provisionalPoints <= 0) return points;
	return m.board_points_with_pending({ points, n: formatPoints(e.provisionalPoints) });
}

/** Parts of a line shown one after the other: a description, then the bonus. */
const joined = (...parts: string[]) => parts.filter(Boolean).join(' · ');

export function badgeToast(e: BadgeEvent): ToastText {
	if (e.subjectType === 'team') {
		return {
			title: m.board_toast_team_target({ emoji: e.badge.emoji, name: e.subjectName }),
			description: e.badge.name
		};
	}
	const name = e.userName ?? e.subjectName;
	return {
		title: m.board_toast_earned({ emoji: e.badge.emoji, name, badge: e.badge.name }),
		description: joined(e.badge.description, bonus(e.badge.points, e.provisional)) || undefined
	};
}

/** Many awards of one badge at once (a new badge, a week ending): one toast instead of a flood. */
function groupToast(events: readonly BadgeEvent[]): ToastText {
	const { badge } = events[0];
	const names = events.map((e) => e.userName ?? e.subjectName);
	const count = { count: events.length, n: formatPoints(events.length) };
	const title = { ...count, emoji: badge.emoji, badge: badge.name };
	const more = names.length - 2;
	const listed =
		names.length > 3
			? m.board_toast_group_more({
					count: more,
					n: formatPoints(more),
					names: names.slice(0, 2).join(', ')
				})
			: names.join(', ');
	return {
		title:
			events[0].subjectType === 'team'
				? m.board_toast_group_teams(title)
				: m.board_toast_group_people(title),
		description: listed
	};
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
				? m.board_moment_team({ team: e.subjectName, description: e.badge.description }).trim()
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
		title: m.board_toast_podium({ medal: MEDALS[e.rank - 1] ?? '🏅', name: e.name }),
		description: m.board_toast_podium_now({ rank: e.rank, standing: standing(e) })
	};
}

export function podiumMoment(e: LeaderboardEntry, version: number): Moment {
	return {
		key: `podium:${e.id}:${version}`,
		emoji: MEDALS[e.rank - 1] ?? '🏅',
		name: m.board_moment_podium({ rank: e.rank }),
		description:
			e.rank === 1
				? m.board_moment_lead({ standing: standing(e) })
				: m.board_moment_top3({ standing: standing(e) }),
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
		return badges === moments.length
			? m.board_title_badges({ count: badges, n: formatPoints(badges) })
			: m.board_title_moment();
	}
	const [only] = moments;
	if (only?.kind === 'team') return m.board_title_team();
	if (only?.kind === 'podium') return m.board_title_top3();
	return m.board_title_badge();
}
