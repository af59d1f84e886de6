import { eq, sql } from 'drizzle-orm';
import type { RankBy } from '../db/schema';
import { write, type Store, type StoreDb } from '../db/store';
import { auditInWrite, type Actor } from '../audit/record';
import { notifyLeaderboard } from '../realtime/publish';
import { systemClock, type Clock } from '../shared/clock';
import { notFound } from '../shared/errors';
import { m } from '../../paraglide/messages.js';

// A season's settings edited on the rules page (the form is settings-form.ts); whether sales
// need confirmation is read here and edited with the season (edit.ts). Through the store
// (db/store.ts): settings saved on one node are what every node reads.

/** How a season treats new sales and what its ranking counts. */
export interface SeasonSettings {
	requireConfirmation: boolean;
	/** Pending sales older than this are confirmed by the scheduler; null: never. */
	autoConfirmDays: number | null;
	rankBy: RankBy;
}

/** What the rules page changes. */
export type RankingSettings = Omit<SeasonSettings, 'requireConfirmation'>;

export async function getSeasonSettings(
	store: Store,
	seasonId: number,
	db: StoreDb = store.db
): Promise<SeasonSettings | undefined> {
	const { season } = store.tables;
	const [row] = await db
		.select({
			requireConfirmation: season.requireConfirmation,
			autoConfirmDays: season.autoConfirmDays,
			rankBy: season.rankBy
		})
		.from(season)
		.where(eq(season.id, seasonId));
	return row;
}

/**
 * Saves the settings, audited with what changed. Confirmation applies to sales registered
 * from now on (sales already pending stay in the review queue); a new `rankBy` reorders the
 * board at once, so it gets a new leaderboard version and a push.
 */
export async function updateSeasonSettings(
	store: Store,
	seasonId: number,
	settings: RankingSettings,
	actor: Actor,
	clock: Clock = systemClock
): Promise<{ changed: (keyof RankingSettings)[] }> {
	const now = clock();
	const { season } = store.tables;
	const result = await write(store, async (tx) => {
		const before = await getSeasonSettings(store, seasonId, tx);
		if (!before) throw notFound('not_found', m.seasons_error_gone());
		const changed = (Object.keys(settings) as (keyof RankingSettings)[]).filter(
			(key) => before[key] !== settings[key]
		);
		if (changed.length === 0) return { changed };
		// The leaderboard version moves with a new ranking, as scoring/standings.ts `bumpVersion`.
		await tx
			.update(season)
			.set({
				...settings,
				...(changed.includes('rankBy') ? { version: sql`${season.version} + 1` } : {})
			})
			.where(eq(season.id, seasonId));
		const diff = Object.fromEntries(
			changed.map((key) => [key, { from: before[key], to: settings[key] }])
		);
		await auditInWrite(tx, store, actor, 'season.configure', `season:${seasonId}`, diff, now);
		return { changed };
	});
	if (result.changed.includes('rankBy')) notifyLeaderboard(seasonId);
	return result;
}
