import type { PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { listConsoleSeasons } from '$lib/server/seasons/queries';
import { launchState, waitingText } from '$lib/server/seasons/launch';
import { runScheduler } from '$lib/server/seasons/scheduler';

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	const store = getStore();
	// Seasons waiting for people or products open as soon as they have them (see launch.ts).
	await runScheduler(store);
	const now = Date.now();
	const listed = await listConsoleSeasons(store);
	const launches = await Promise.all(
		listed.map((s) => (s.status === 'scheduled' ? launchState(store, s, now) : null))
	);
	const seasons = listed.map((s, i) => {
		const launch = launches[i];
		return {
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
			teams: s.teams,
			/** Scheduled, its start has come, without people or products: "ready to launch". */
			waiting: launch?.waiting ? waitingText(launch.missing) : null
		};
	});
	return { seasons, created: event.url.searchParams.get('created') };
};
