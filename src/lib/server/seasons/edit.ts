import { eq, sql } from 'drizzle-orm';
import { write, type Store } from '../db/store';
import { type Season, type SeasonStatus, type SeasonPrize, type SeasonTheme } from '../db/schema';
import { auditInWrite, type Actor } from '../audit/record';
import { notifyLeaderboard, publishSeason } from '../realtime/publish';
import { seasonLook } from './look';
import { systemClock, type Clock } from '../shared/clock';
import { notFound } from '../shared/errors';
import { localDateKey, type Recurrence } from '../../contest/calendar';
import type { SeasonInput } from './commands';
import { mergeFormPrizes } from './prizes';
import { runSchedulerOn } from './commands';
import { wakeScheduler } from './scheduler';
import { m } from '../../paraglide/messages.js';

// Editing a season in the console: what may still change, and saving the form, through the
// store (db/store.ts): a season saved on one node is what every node reads.

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

// Keys sorted: PostgreSQL's jsonb does not keep an object's key order (docs/postgres.md), so the
// theme read back may list its keys otherwise than the form sends them.
const same = (a: unknown, b: unknown) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));

function sorted(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(sorted);
	if (value === null || typeof value !== 'object') return value;
	return Object.fromEntries(
		Object.keys(value)
			.sort()
			.map((key) => [key, sorted((value as Record<string, unknown>)[key])])
	);
}

/**
 * Saves the form. Dates and the zone change only before the start, contest rules only until
 * the end; the dates keep their exact instants when the local days did not change.
 */
export async function updateConsoleSeason(
	store: Store,
	seasonId: number,
	input: SeasonInput,
	banner: BannerChange,
	actor: Actor,
	clock: Clock = systemClock
): Promise<{ season: Season; changed: string[] }> {
	const now = clock();
	const { season } = store.tables;
	const result = await write(store, async (tx) => {
		const [before] = await tx.select().from(season).where(eq(season.id, seasonId));
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
		// A new tie rule reorders the board: a new version (as scoring/standings.ts
		// `bumpVersion`), pushed after the commit.
		const [row] = await tx
			.update(season)
			.set({
				...next,
				theme: { ...next.theme, ...(newBanner ? { banner: newBanner } : {}) },
				...(changed.includes('tieRule') ? { version: sql`${season.version} + 1` } : {})
			})
			.where(eq(season.id, seasonId))
			.returning();
		const diff = Object.fromEntries(
			changed.map((key) => [
				key,
				key === 'banner'
					? { set: newBanner != null }
					: { from: old[key as keyof Comparable], to: next[key as keyof Comparable] }
			])
		);
		await auditInWrite(tx, store, actor, 'season.update', `season:${seasonId}`, diff, now);
		return { season: row, changed };
	});
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
	if (s.status === 'scheduled' && result.changed.includes('startsAt'))
		await runSchedulerOn(store, clock);
	// New dates: the running scheduler wakes at the new next transition.
	else if (
		result.changed.some((key) => key === 'startsAt' || key === 'endsAt' || key === 'graceDays')
	)
		wakeScheduler();
	const [after] = await store.db.select().from(season).where(eq(season.id, seasonId));
	return { season: after, changed: result.changed };
}

function pick<T, K extends keyof T>(from: T, keys: K[]): Pick<T, K> {
	return Object.fromEntries(keys.map((k) => [k, from[k]])) as Pick<T, K>;
}
