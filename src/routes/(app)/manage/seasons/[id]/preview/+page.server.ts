import { error } from '@sveltejs/kit';
import { asc, eq } from 'drizzle-orm';
import type { PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { seasonMember, team, user } from '$lib/server/db/schema';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { getSeason } from '$lib/server/seasons/queries';
import { seasonDates } from '$lib/components/console/format';
import { sampleBoard } from '$lib/server/seasons/preview-sample';

export const load: PageServerLoad = (event) => {
	requireRole(event, MANAGERS);
	const id = Number(event.params.id);
	const db = getDb();
	const s = Number.isInteger(id) && id > 0 ? getSeason(db, id) : undefined;
	if (!s) error(404, { message: 'There is no such season.' });
	const teams = db
		.select({ id: team.id, name: team.name, emoji: team.emoji, color: team.color })
		.from(team)
		.where(eq(team.seasonId, s.id))
		.orderBy(asc(team.id))
		.all();
	const people = db
		.select({ id: user.id, name: user.displayName, teamId: seasonMember.teamId })
		.from(seasonMember)
		.innerJoin(user, eq(user.id, seasonMember.userId))
		.where(eq(seasonMember.seasonId, s.id))
		.orderBy(asc(user.displayName))
		.all();
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
