import { inArray, sql } from 'drizzle-orm';
import type { Queryable } from '../db';
import { season } from '../db/schema';
import type { SeasonEvent } from '../../realtime/events';
import { seasonLook } from './look';

/**
 * The seasons' state now, as `season` frames: status, announcement (null: none), the
 * fingerprint of their looks and, for an ended recurring season, the season that follows it.
 * What a board would have heard had it missed none of the frames (realtime/publish.ts,
 * `resendSeasons`); a client compares it with what it shows (a TV reloads only on a difference).
 */
export function seasonEventsNow(db: Queryable, seasonIds: number[]): SeasonEvent[] {
	if (seasonIds.length === 0) return [];
	const rows = db
		.select({
			seasonId: season.id,
			status: season.status,
			announcement: season.announcement,
			name: season.name,
			theme: season.theme,
			startsAt: season.startsAt,
			endsAt: season.endsAt,
			target: season.target,
			nextSeasonId: sql<
				number | null
			>`(select n.id from season n where n.previous_season_id = ${season.id})`
		})
		.from(season)
		.where(inArray(season.id, seasonIds))
		.all();
	return rows.map(({ seasonId, status, announcement, nextSeasonId, ...looks }) => {
		const event: SeasonEvent = { seasonId, status, announcement, look: seasonLook(looks) };
		return nextSeasonId === null ? event : { ...event, nextSeasonId };
	});
}
