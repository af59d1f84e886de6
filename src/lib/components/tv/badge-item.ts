import type { BadgeEvent } from '$lib/realtime/events';

/** A line of the TV's "Recent badges" column: from the page load or a live badge event. */
export interface BadgeItem {
	key: string;
	emoji: string;
	badge: string;
	who: string;
	at: number;
}

export function badgeItem(event: BadgeEvent): BadgeItem {
	return {
		key: `${event.badge.id}:${event.subjectType}:${event.subjectId}:${event.periodKey}`,
		emoji: event.badge.emoji,
		badge: event.badge.name,
		who: event.userName ?? event.subjectName,
		at: event.at
	};
}
