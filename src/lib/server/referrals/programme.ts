import { eq, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import { season, seasonProgramme } from '../db/schema';
import { REFERRAL_DEFAULTS } from '../../contest/referral';
import { audit, type Actor } from '../audit/record';
import { AppError } from '../shared/errors';
import { systemClock, type Clock } from '../shared/clock';
import { m } from '../../paraglide/messages.js';

export interface ReferralSettings {
	referralPoints: number;
	referralLapseDays: number;
}

/** A season's referral points and lapse days; the schema's defaults when it has no programme row. */
export function referralSettings(db: Queryable, seasonId: number): ReferralSettings {
	const row = db
		.select({
			referralPoints: seasonProgramme.referralPoints,
			referralLapseDays: seasonProgramme.referralLapseDays
		})
		.from(seasonProgramme)
		.where(eq(seasonProgramme.seasonId, seasonId))
		.get();
	return (
		row ?? {
			referralPoints: REFERRAL_DEFAULTS.points,
			referralLapseDays: REFERRAL_DEFAULTS.lapseDays
		}
	);
}

/**
 * Writes the season's referral columns of its programme row and nothing else: the rewards store
 * keeps its own columns of the same row. New values count for referrals recorded from now on.
 */
export function saveReferralSettings(
	db: Db,
	seasonId: number,
	settings: ReferralSettings,
	actor: Actor,
	clock: Clock = systemClock
): void {
	const now = clock();
	db.transaction(
		(tx) => {
			const owner = tx.select({ id: season.id }).from(season).where(eq(season.id, seasonId)).get();
			if (!owner) throw new AppError(404, 'not_found', m.referral_error_no_season());
			const before = referralSettings(tx, seasonId);
			tx.insert(seasonProgramme)
				.values({ seasonId, ...settings, updatedAt: now })
				.onConflictDoUpdate({
					target: seasonProgramme.seasonId,
					set: {
						referralPoints: sql`excluded.referral_points`,
						referralLapseDays: sql`excluded.referral_lapse_days`,
						updatedAt: now
					}
				})
				.run();
			audit(
				tx,
				actor,
				'season.referral_settings',
				`season:${seasonId}`,
				{ before, after: settings },
				now
			);
		},
		{ behavior: 'immediate' }
	);
}
