import type { Cookies } from '@sveltejs/kit';
import { and, desc, eq } from 'drizzle-orm';
import type { Season } from '../db/schema';
import type { Store } from '../db/store';
import { readLiveSeasonFor, readSeason } from './queries';
import type { SessionUser } from '../auth/session';

// The season a signed-in page shows, from the request's address and cookies (choice.ts reads
// them from the request; this module needs none, so scripts and benches load it too).
// Parallel contests: a manager may run more than one live season for the same people. Each
// person then picks the one they look at (and sell into); the choice is kept in a cookie.
// Without a choice, the most recently started live season is shown, as before.

export const SEASON_COOKIE = 'hb_season';
export const STAFF = new Set(['manager', 'admin', 'executive']);

interface SeasonOption {
	id: number;
	name: string;
	emoji: string;
}

/**
 * The live seasons a person can switch between, latest start first: their own, or every live
 * one for staff. Whole rows: the chosen season is one of them, read once with the list.
 */
async function liveSeasons(
	store: Store,
	user: Pick<SessionUser, 'id' | 'role'>
): Promise<Season[]> {
	const { season, seasonMember } = store.tables;
	const live = eq(season.status, 'live');
	if (STAFF.has(user.role))
		return store.db
			.select()
			.from(season)
			.where(live)
			.orderBy(desc(season.startsAt), desc(season.id));
	const rows = await store.db
		.select({ season })
		.from(season)
		.innerJoin(seasonMember, eq(seasonMember.seasonId, season.id))
		.where(and(live, eq(seasonMember.userId, user.id)))
		.orderBy(desc(season.startsAt), desc(season.id));
	return rows.map((r) => r.season);
}

export function remember(cookies: Pick<Cookies, 'set'>, seasonId: number) {
	cookies.set(SEASON_COOKIE, String(seasonId), {
		path: '/',
		httpOnly: true,
		sameSite: 'lax',
		maxAge: 90 * 24 * 60 * 60
	});
}

/** A season being prepared (draft, or scheduled and not open yet): staff set it up in the console. */
export async function preparedSeason(store: Store, id: number): Promise<Season | undefined> {
	const s = id ? await readSeason(store, id) : undefined;
	return s && (s.status === 'draft' || s.status === 'scheduled') ? s : undefined;
}

/**
 * The season a signed-in page shows: `?season=ID` (remembered), else the remembered choice,
 * else the person's most recently started live season, else (staff) the current live season.
 */
export async function chosenSeason(
	store: Store,
	user: Pick<SessionUser, 'id' | 'role'>,
	url: URL,
	cookies: Pick<Cookies, 'get' | 'set'>
): Promise<{ season: Season | undefined; options: SeasonOption[] }> {
	const live = await liveSeasons(store, user);
	const options = live.map((s) => ({ id: s.id, name: s.name, emoji: s.theme.emoji }));
	const asked = Number(url.searchParams.get('season'));
	const remembered = Number(cookies.get(SEASON_COOKIE));
	const picked = [asked, remembered].find((id) => options.some((o) => o.id === id));
	if (picked && picked === asked && asked !== remembered) remember(cookies, asked);
	// A participant's own latest live season is the first of theirs. Staff see every live one:
	// their own latest if they take part in one, else the current season (the latest of all).
	// Nobody else reads the board of a contest they are not in (the live socket's `watch` rule).
	const season =
		live.find((s) => s.id === picked) ??
		(STAFF.has(user.role) ? ((await readLiveSeasonFor(store, user.id)) ?? live[0]) : live[0]);
	return { season, options };
}
