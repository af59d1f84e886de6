import type { Cookies } from '@sveltejs/kit';
import { getRequestEvent } from '$app/server';
import { and, desc, eq } from 'drizzle-orm';
import { getDb, type Queryable } from '../db';
import { season, seasonMember, type Season } from '../db/schema';
import { getCurrentSeason, getLiveSeasonFor, getSeason } from './queries';
import type { SessionUser } from '../auth/session';

// Parallel contests: a manager may run more than one live season for the same people. Each
// person then picks the one they look at (and sell into); the choice is kept in a cookie.
// Without a choice, the most recently started live season is shown, as before.

const SEASON_COOKIE = 'hb_season';
const STAFF = new Set(['manager', 'admin', 'executive']);

interface SeasonOption {
	id: number;
	name: string;
	emoji: string;
}

/** The live seasons a person can switch between: their own, or every live one for staff. */
function liveSeasonOptions(db: Queryable, user: Pick<SessionUser, 'id' | 'role'>): SeasonOption[] {
	const live = eq(season.status, 'live');
	const rows = STAFF.has(user.role)
		? db
				.select({ id: season.id, name: season.name, theme: season.theme })
				.from(season)
				.where(live)
				.orderBy(desc(season.startsAt), desc(season.id))
				.all()
		: db
				.select({ id: season.id, name: season.name, theme: season.theme })
				.from(season)
				.innerJoin(seasonMember, eq(seasonMember.seasonId, season.id))
				.where(and(live, eq(seasonMember.userId, user.id)))
				.orderBy(desc(season.startsAt), desc(season.id))
				.all();
	return rows.map((r) => ({ id: r.id, name: r.name, emoji: r.theme.emoji }));
}

/**
 * The season a signed-in page shows: `?season=ID` (remembered), else the remembered choice,
 * else the person's most recently started live season, else the current live season.
 */
export function chosenSeason(
	db: Queryable,
	user: Pick<SessionUser, 'id' | 'role'>,
	url: URL,
	cookies: Pick<Cookies, 'get' | 'set'>
): { season: Season | undefined; options: SeasonOption[] } {
	const options = liveSeasonOptions(db, user);
	const asked = Number(url.searchParams.get('season'));
	const remembered = Number(cookies.get(SEASON_COOKIE));
	const pick = [asked, remembered].find((id) => options.some((o) => o.id === id));
	if (pick && pick === asked && asked !== remembered) {
		cookies.set(SEASON_COOKIE, String(asked), {
			path: '/',
			httpOnly: true,
			sameSite: 'lax',
			maxAge: 90 * 24 * 60 * 60
		});
	}
	const season =
		(pick ? getSeason(db, pick) : undefined) ??
		getLiveSeasonFor(db, user.id) ??
		getCurrentSeason(db);
	return { season, options };
}

/**
 * The live season the contest console works on: the one chosen in the contest switcher, so
 * that with parallel contests a manager edits the rules, badges or catalogue they are looking
 * at. With one live season this is simply that season.
 */
export function consoleSeason(): Season | undefined {
	const event = getRequestEvent();
	const db = getDb();
	const user = event.locals.user;
	return user ? chosenSeason(db, user, event.url, event.cookies).season : getCurrentSeason(db);
}
