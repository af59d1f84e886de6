import { eq } from 'drizzle-orm';
import type { Db } from '../db';
import {
	season,
	type Season,
	type SeasonStatus,
	type SeasonPrize,
	type SeasonTheme
} from '../db/schema';
import { audit, type Actor } from '../audit/record';
import { bumpVersion } from '../scoring/standings';
import { notifyLeaderboard, publishSeason } from '../realtime/publish';
import { seasonLook } from './look';
import { systemClock, type Clock } from '../shared/clock';
import { notFound } from '../shared/errors';
import { localDateKey, type Recurrence } from '../../contest/calendar';
import type { SeasonInput } from './commands';
import { mergeFormPrizes } from './prizes';
import { runScheduler, wakeScheduler } from './scheduler';
import { m } from '../../paraglide/messages.js';

// Editing a season in the console: what may still change, and saving the form.

/** What may still change: dates and zone before the start, contest rules until the end. */
export function editable(status: SeasonStatus): { dates: boolean; rules: boolean } {
	return {
		dates: status === 'draft' || status === 'scheduled',
		rules: status !== 'ended' && status !== 'archived'
	};
}

export type BannerChange = { kind: 'keep' } | { kind: 'remove' } | { kind: 'set'; dataUrl: string };

type Comparable = Pick<
	Season,
	| 'name'
	| 'timeZone'
	| 'startsAt'
	| 'endsAt'
	| 'target'
	| 'tieRule'
	| 'requireConfirmation'
	| 'multiplierMode'
	| 'graceDays'
	| 'maxSalePoints'
> & {
	theme: Omit<SeasonTheme, 'banner'>;
	recurrence: Recurrence | null;
	prizes: SeasonPrize[] | null;
};

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Saves the form. Dates and the zone change only before the start, contest rules only until
 * the end; the dates keep their exact instants when the local days did not change.
 */
export function updateConsoleSeason(
	db: Db,
	seasonId: number,
	input: SeasonInput,
	banner: BannerChange,
	actor: Actor,
	clock: Clock = systemClock
): { season: Season; changed: string[] } {
	const now = clock();
	const result = db.transaction(
		(tx) => {
			const before = tx.select().from(season).where(eq(season.id, seasonId)).get();
			if (!before) throw notFound('not_found', m.seasons_error_gone());
			const can = editable(before.status);
			const { banner: oldBanner, ...oldTheme } = before.theme;
			const old: Comparable = {
				...before,
				theme: oldTheme,
				recurrence: before.recurrence ?? null,
				prizes: before.prizes ?? null
			};
			// Compared as local days, so that a season created by the API at 09:00 keeps its hour.
			const datesMoved =
				before.timeZone !== input.timeZone ||
				localDateKey(before.startsAt, before.timeZone) !== input.startDate ||
				localDateKey(before.endsAt - 1, before.timeZone) !== input.endDate;
			const next: Comparable = {
				name: input.name,
				theme: input.theme,
				prizes: mergeFormPrizes(before.prizes, input.prizes),
				...(can.dates && datesMoved
					? { timeZone: input.timeZone, startsAt: input.startsAt, endsAt: input.endsAt }
					: pick(old, ['timeZone', 'startsAt', 'endsAt'])),
				...(can.rules
					? {
							recurrence: input.recurrence,
							target: input.target,
							tieRule: input.tieRule,
							requireConfirmation: input.requireConfirmation,
							multiplierMode: input.multiplierMode,
							graceDays: input.graceDays,
							maxSalePoints: input.maxSalePoints
						}
					: pick(old, [
							'recurrence',
							'target',
							'tieRule',
							'requireConfirmation',
							'multiplierMode',
							'graceDays',
							'maxSalePoints'
						]))
			};
			const newBanner =
				banner.kind === 'keep' ? oldBanner : banner.kind === 'set' ? banner.dataUrl : undefined;
			const changed = (Object.keys(next) as (keyof Comparable)[]).filter(
				(key) => !same(old[key], next[key])
			) as string[];
			if (newBanner !== oldBanner) changed.push('banner');
			if (changed.length === 0) return { season: before, changed };
			const row = tx
				.update(season)
				.set({ ...next, theme: { ...next.theme, ...(newBanner ? { banner: newBanner } : {}) } })
				.where(eq(season.id, seasonId))
				.returning()
				.get();
			const diff = Object.fromEntries(
				changed.map((key) => [
					key,
					key === 'banner'
						? { set: newBanner != null }
						: { from: old[key as keyof Comparable], to: next[key as keyof Comparable] }
				])
			);
			audit(tx, actor, 'season.update', `season:${seasonId}`, diff, now);
			// A new tie rule reorders the board: a new version, pushed after the commit.
			if (changed.includes('tieRule')) bumpVersion(tx, seasonId);
			return { season: row, changed };
		},
		{ behavior: 'immediate' }
	);
	const s = result.season;
	if (result.changed.includes('tieRule')) notifyLeaderboard(seasonId);
	// Open screens reload the season (name, theme) when they hear about it.
	if (
		s.status === 'live' &&
		result.changed.some(
			(key) => key === 'name' || key === 'theme' || key === 'banner' || key === 'target'
		)
	) {
		publishSeason({ seasonId, status: s.status, look: seasonLook(s) });
	}
	if (s.status === 'scheduled' && result.changed.includes('startsAt')) runScheduler(db, { clock });
	// New dates: the running scheduler wakes at the new next transition.
	else if (
		result.changed.some((key) => key === 'startsAt' || key === 'endsAt' || key === 'graceDays')
	)
		wakeScheduler();
	return {
		season: db.select().from(season).where(eq(season.id, seasonId)).get()!,
		changed: result.changed
	};
}

function pick<T, K extends keyof T>(from: T, keys: K[]): Pick<T, K> {
	return Object.fromEntries(keys.map((k) => [k, from[k]])) as Pick<T, K>;
}
