import { eq } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import { season, type RankBy } from '../db/schema';
import { audit, type Actor } from '../audit/record';
import { bumpVersion } from '../scoring/standings';
import { notifyLeaderboard } from '../realtime/publish';
import { systemClock, type Clock } from '../shared/clock';
import { notFound } from '../shared/errors';
import { m } from '../../paraglide/messages.js';

// A season's settings edited on the rules page (the form is settings-form.ts); whether sales
// need confirmation is read here and edited with the season (edit.ts).

/** How a season treats new sales and what its ranking counts. */
export interface SeasonSettings {
	requireConfirmation: boolean;
	/** Pending sales older than this are confirmed by the scheduler; null: never. */
	autoConfirmDays: number | null;
	rankBy: RankBy;
}

/** What the rules page changes. */
export type RankingSettings = Omit<SeasonSettings, 'requireConfirmation'>;

export function getSeasonSettings(db: Queryable, seasonId: number): SeasonSettings | undefined {
	return db
		.select({
			requireConfirmation: season.requireConfirmation,
			autoConfirmDays: season.autoConfirmDays,
			rankBy: season.rankBy
		})
		.from(season)
		.where(eq(season.id, seasonId))
		.get();
}

/**
 * Saves the settings, audited with what changed. Confirmation applies to sales registered
 * from now on (sales already pending stay in the review queue); a new `rankBy` reorders the
 * board at once, so it gets a new leaderboard version and a push.
 */
export function updateSeasonSettings(
	db: Db,
	seasonId: number,
	settings: RankingSettings,
	actor: Actor,
	clock: Clock = systemClock
): { changed: (keyof RankingSettings)[] } {
	const now = clock();
	const result = db.transaction(
		(tx) => {
			const before = getSeasonSettings(tx, seasonId);
			if (!before) throw notFound('not_found', m.seasons_error_gone());
			const changed = (Object.keys(settings) as (keyof RankingSettings)[]).filter(
				(key) => before[key] !== settings[key]
			);
			if (changed.length === 0) return { changed };
			tx.update(season).set(settings).where(eq(season.id, seasonId)).run();
			const diff = Object.fromEntries(
				changed.map((key) => [key, { from: before[key], to: settings[key] }])
			);
			audit(tx, actor, 'season.configure', `season:${seasonId}`, diff, now);
			if (changed.includes('rankBy')) bumpVersion(tx, seasonId);
			return { changed };
		},
		{ behavior: 'immediate' }
	);
	if (result.changed.includes('rankBy')) notifyLeaderboard(seasonId);
	return result;
}
