import type { PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { listConsoleSeasons } from '$lib/server/seasons/queries';

export const load: PageServerLoad = (event) => {
	requireRole(event, MANAGERS);
	const seasons = listConsoleSeasons(getDb()).map((s) => ({
		id: s.id,
		name: s.name,
		// The banner (a data URL) stays out of the list: the colours are enough here.
		theme: {
			primary: s.theme.primary,
			accent: s.theme.accent,
			emoji: s.theme.emoji,
			tagline: s.theme.tagline
		},
		status: s.status,
		timeZone: s.timeZone,
		startsAt: s.startsAt,
		endsAt: s.endsAt,
		recurrence: s.recurrence,
		announcement: s.announcement,
		members: s.members,
		teams: s.teams
	}));
	return { seasons, created: event.url.searchParams.get('created') };
};
