import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db';
import { season, type RankBy } from '../db/schema';
import { audit, type Actor } from '../audit/record';
import { bumpVersion } from '../scoring/standings';
import { notifyLeaderboard } from '../realtime/publish';
import { systemClock, type Clock } from '../shared/clock';

/** How a season treats new sales and what its ranking counts. */
export interface SeasonSettings {
	requireConfirmation: boolean;
	/** Pending sales older than this are confirmed by the scheduler; null: never. */
	autoConfirmDays: number | null;
	rankBy: RankBy;
}

export const settingsFormSchema = z.object({
	requireConfirmation: z.boolean(),
	autoConfirmDays: z
		.string()
		.trim()
		.transform((text, ctx) => {
			if (text === '') return null;
			if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 365) {
				ctx.addIssue({
					code: 'custom',
					message: 'Enter a whole number of days from 1 to 365, or leave it empty'
				});
				return z.NEVER;
			}
			return Number(text);
		}),
	rankBy: z.enum(['confirmed', 'total'], { message: 'Choose what the ranking counts' })
});

export type SettingsErrors = Partial<Record<keyof SeasonSettings, string>>;

export function parseSettingsForm(
	form: FormData
): { ok: true; settings: SeasonSettings } | { ok: false; errors: SettingsErrors } {
	const parsed = settingsFormSchema.safeParse({
		requireConfirmation: form.get('requireConfirmation') === 'on',
		autoConfirmDays: String(form.get('autoConfirmDays') ?? ''),
		rankBy: form.get('rankBy')
	});
	if (parsed.success) return { ok: true, settings: parsed.data };
	const errors: SettingsErrors = {};
	for (const issue of parsed.error.issues)
		errors[issue.path[0] as keyof SeasonSettings] ??= issue.message;
	return { ok: false, errors };
}

export function getSeasonSettings(db: Db, seasonId: number): SeasonSettings | undefined {
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
	settings: SeasonSettings,
	actor: Actor,
	clock: Clock = systemClock
): { changed: (keyof SeasonSettings)[] } {
	const now = clock();
	const result = db.transaction(
		(tx) => {
			const before = tx
				.select({
					requireConfirmation: season.requireConfirmation,
					autoConfirmDays: season.autoConfirmDays,
					rankBy: season.rankBy
				})
				.from(season)
				.where(eq(season.id, seasonId))
				.get();
			if (!before) throw new Error(`No season ${seasonId}`);
			const changed = (Object.keys(settings) as (keyof SeasonSettings)[]).filter(
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
