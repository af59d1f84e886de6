import { inArray, sql } from 'drizzle-orm';
import type { Store } from '../db/store';
import type { SeasonEvent } from '../../realtime/events';
import { seasonLook } from './look';

/**
 * The seasons' state now, as `season` frames: status, announcement (null: none), the
 * fingerprint of their looks and, for an ended recurring season, the season that follows it.
 * What a board would have heard had it missed none of the frames (realtime/publish.ts,
 * `resendSeasons`), through the store: another node's writes count; a client compares it with what it shows (a TV reloads only on a difference).
 */
export async function seasonEventsNow(store: Store, seasonIds: number[]): Promise<SeasonEvent[]> {
	if (seasonIds.length === 0) return [];
	const { season } = store.tables;
	const rows = await store.db
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
		.where(inArray(season.id, seasonIds));
	return rows.map(({ seasonId, status, announcement, nextSeasonId, ...looks }) => {
		const event: SeasonEvent = { seasonId, status, announcement, look: seasonLook(looks) };
		return nextSeasonId === null ? event : { ...event, nextSeasonId };
	});
}
