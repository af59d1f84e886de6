import { eq, sql } from 'drizzle-orm';
import { write, type Store, type StoreDb } from '../db/store';
import { REFERRAL_DEFAULTS } from '../../contest/referral';
import { auditInWrite, type Actor } from '../audit/record';
import { AppError } from '../shared/errors';
import { systemClock, type Clock } from '../shared/clock';
import { m } from '../../paraglide/messages.js';

// A season's referral settings, on the store (db/store.ts); recording a referral reads them
// before its write (record.ts).

export interface ReferralSettings {
	referralPoints: number;
	referralLapseDays: number;
}

const DEFAULTS: ReferralSettings = {
	referralPoints: REFERRAL_DEFAULTS.points,
	referralLapseDays: REFERRAL_DEFAULTS.lapseDays
};

async function settingsIn(db: StoreDb, store: Store, seasonId: number): Promise<ReferralSettings> {
	const { seasonProgramme } = store.tables;
	const [row] = await db
		.select({
			referralPoints: seasonProgramme.referralPoints,
			referralLapseDays: seasonProgramme.referralLapseDays
		})
		.from(seasonProgramme)
		.where(eq(seasonProgramme.seasonId, seasonId));
	return row ?? DEFAULTS;
}

/** A season's referral points and lapse days; the schema's defaults when it has no programme row. */
export function referralSettings(store: Store, seasonId: number): Promise<ReferralSettings> {
	return settingsIn(store.db, store, seasonId);
}

/**
 * Writes the season's referral columns of its programme row and nothing else: the rewards store
 * keeps its own columns of the same row. New values count for referrals recorded from now on.
 */
export function saveReferralSettings(
	store: Store,
	seasonId: number,
	settings: ReferralSettings,
	actor: Actor,
	clock: Clock = systemClock
): Promise<void> {
	const now = clock();
	const { season, seasonProgramme } = store.tables;
	return write(store, async (tx) => {
		const [owner] = await tx.select({ id: season.id }).from(season).where(eq(season.id, seasonId));
		if (!owner) throw new AppError(404, 'not_found', m.referral_error_no_season());
		const before = await settingsIn(tx, store, seasonId);
		await tx
			.insert(seasonProgramme)
			.values({ seasonId, ...settings, updatedAt: now })
			.onConflictDoUpdate({
				target: seasonProgramme.seasonId,
				set: {
					referralPoints: sql`excluded.referral_points`,
					referralLapseDays: sql`excluded.referral_lapse_days`,
					updatedAt: now
				}
			});
		await auditInWrite(
			tx,
			store,
			actor,
			'season.referral_settings',
			`season:${seasonId}`,
			{ before, after: settings },
			now
		);
	});
}
