import type { Cookies } from '@sveltejs/kit';
import { getRequestEvent } from '$app/server';
import { and, desc, eq } from 'drizzle-orm';
import { getDb, type Queryable } from '../db';
import { season, seasonMember, type Season } from '../db/schema';
import { getCurrentSeason, getLiveSeasonFor, getMembership, getSeason } from './queries';
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

function remember(cookies: Pick<Cookies, 'set'>, seasonId: number) {
	cookies.set(SEASON_COOKIE, String(seasonId), {
		path: '/',
		httpOnly: true,
		sameSite: 'lax',
		maxAge: 90 * 24 * 60 * 60
	});
}

/** A season being prepared (draft, or scheduled and not open yet): staff set it up in the console. */
function preparedSeason(db: Queryable, id: number): Season | undefined {
	const s = id ? getSeason(db, id) : undefined;
	return s && (s.status === 'draft' || s.status === 'scheduled') ? s : undefined;
}

/**
 * The current season when the person has no live one of their own: staff see it whatever it is;
 * a participant only if they take part in it (the same rule as the live socket's `watch`), so
 * nobody reads the board of a contest they are not in.
 */
function currentSeasonFor(
	db: Queryable,
	user: Pick<SessionUser, 'id' | 'role'>
): Season | undefined {
	const current = getCurrentSeason(db);
	if (!current || STAFF.has(user.role)) return current;
	return getMembership(db, current.id, user.id) ? current : undefined;
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
	if (pick && pick === asked && asked !== remembered) remember(cookies, asked);
	const season =
		(pick ? getSeason(db, pick) : undefined) ??
		getLiveSeasonFor(db, user.id) ??
		currentSeasonFor(db, user);
	return { season, options };
}

/**
 * The season the contest console works on: the one chosen in the contest switcher, so that
 * with parallel contests a manager edits the rules, badges or catalogue they are looking at;
 * or, for staff, a season still being prepared that a link (`?season=ID`) chose. With one live
 * season and nothing in preparation this is simply that season.
 */
export function consoleSeason(): Season | undefined {
	const event = getRequestEvent();
	const db = getDb();
	const user = event.locals.user;
	if (!user) return getCurrentSeason(db);
	// A season being set up (from its launch checklist: `?season=ID`) is worked on before it is
	// live; the choice is remembered so that the page's form actions act on the same season.
	if (STAFF.has(user.role)) {
		const asked = preparedSeason(db, Number(event.url.searchParams.get('season')));
		if (asked) {
			if (Number(event.cookies.get(SEASON_COOKIE)) !== asked.id) remember(event.cookies, asked.id);
			return asked;
		}
		if (!event.url.searchParams.has('season')) {
			const remembered = preparedSeason(db, Number(event.cookies.get(SEASON_COOKIE)));
			if (remembered) return remembered;
		}
	}
	return chosenSeason(db, user, event.url, event.cookies).season;
}
