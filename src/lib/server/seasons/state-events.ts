import { inArray, sql } from 'drizzle-orm';
import type { Queryable } from '../db';
import { season } from '../db/schema';
import type { SeasonEvent } from '../../realtime/events';

/**
 * The seasons' state now, as `season` frames: status, announcement (null: none) and, for an
 * ended recurring season, the season that follows it. What a board would have heard had it
 * missed none of the frames (realtime/publish.ts, `resendSeasons`).
 */
export function seasonEventsNow(db: Queryable, seasonIds: number[]): SeasonEvent[] {
	if (seasonIds.length === 0) return [];
	const rows = db
		.select({
			seasonId: season.id,
			status: season.status,
			announcement: season.announcement,
			nextSeasonId: sql<
				number | null
			>`(select n.id from season n where n.previous_season_id = ${season.id})`
		})
		.from(season)
		.where(inArray(season.id, seasonIds))
		.all();
	return rows.map(({ nextSeasonId, ...event }) =>
		nextSeasonId === null ? event : { ...event, nextSeasonId }
	);
}
