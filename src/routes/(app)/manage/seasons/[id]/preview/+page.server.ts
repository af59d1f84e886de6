import type { PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { listCast } from '$lib/server/seasons/queries';
import { seasonFromParams } from '../../season-param.server';
import { seasonDates } from '$lib/components/console/format';
import { sampleBoard } from '$lib/server/seasons/preview-sample';

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	const s = await seasonFromParams(event);
	const { teams, people } = await listCast(getStore(), s.id);
	const now = Date.now();
	const board = sampleBoard({ seasonId: s.id, tieRule: s.tieRule, teams, people, now });
	return {
		season: {
			id: s.id,
			name: s.name,
			status: s.status,
			theme: s.theme,
			dates: seasonDates(s.startsAt, s.endsAt, s.timeZone),
			// The countdown as it will read on the first day (or as it reads now, once started).
			endsAt: s.startsAt > now ? now + (s.endsAt - s.startsAt) : s.endsAt,
			announcement: s.announcement,
			prizes: (s.prizes ?? [])
				.filter((p) => p.place != null)
				.sort((a, b) => (a.place ?? 0) - (b.place ?? 0))
		},
		...board
	};
};
