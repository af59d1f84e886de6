import { eq } from 'drizzle-orm';
import { write, type Store, type StoreDb } from '../db/store';
import { auditInWrite, type Actor } from '../audit/record';
import { systemClock, type Clock } from '../shared/clock';
import { notFound } from '../shared/errors';
import { reevaluateOnStoreInBackground } from './reevaluate';
import type { Levels } from './levels-form';
import { DEFAULT_TIERS, type Tier } from '../../contest/tiers';
import { m } from '../../paraglide/messages.js';

// A season's levels (tiers) and holidays: read and saved together, as the badges page edits
// them, through the store (db/store.ts): levels saved on one node are every node's.

type SeasonLevels = Levels & { custom: boolean };

async function levelsOn(
	db: StoreDb,
	store: Store,
	seasonId: number
): Promise<SeasonLevels | undefined> {
	const { season } = store.tables;
	const [row] = await db
		.select({ tiers: season.tiers, holidays: season.holidays })
		.from(season)
		.where(eq(season.id, seasonId));
	if (!row) return undefined;
	return {
		tiers: row.tiers ?? [...DEFAULT_TIERS],
		custom: row.tiers != null,
		holidays: row.holidays ?? []
	};
}

/** The season's levels (the default ones unless it has its own) and holidays. */
export function getLevels(store: Store, seasonId: number): Promise<SeasonLevels | undefined> {
	return levelsOn(store.db, store, seasonId);
}

const sameTiers = (a: readonly Tier[], b: readonly Tier[]) =>
	a.length === b.length &&
	a.every(
		(t, i) =>
			t.name === b[i].name &&
			t.minPoints === b[i].minPoints &&
			(t.emoji ?? '') === (b[i].emoji ?? '')
	);

/**
 * Saves the levels and holidays, audited with what changed. Levels equal to the defaults are
 * stored as "default" so that the season follows them. New holidays can complete a streak,
 * so the season's badges are evaluated again when they change.
 */
export async function updateLevels(
	store: Store,
	seasonId: number,
	levels: Levels,
	actor: Actor,
	clock: Clock = systemClock
): Promise<{ changed: ('tiers' | 'holidays')[] }> {
	const now = clock();
	const { season } = store.tables;
	const result = await write(store, async (tx) => {
		const before = await levelsOn(tx, store, seasonId);
		if (!before) throw notFound('not_found', m.badges_season_missing());
		const tiers = sameTiers(levels.tiers, DEFAULT_TIERS) ? null : levels.tiers;
		const changed: ('tiers' | 'holidays')[] = [];
		if (!sameTiers(before.tiers, levels.tiers) || before.custom !== (tiers !== null))
			changed.push('tiers');
		if (before.holidays.join() !== levels.holidays.join()) changed.push('holidays');
		if (changed.length === 0) return { changed };
		await tx
			.update(season)
			.set({ tiers, holidays: levels.holidays.length > 0 ? levels.holidays : null })
			.where(eq(season.id, seasonId));
		const diff: Record<string, unknown> = {};
		if (changed.includes('tiers'))
			diff.tiers = { from: before.custom ? before.tiers : 'default', to: tiers ?? 'default' };
		if (changed.includes('holidays'))
			diff.holidays = { from: before.holidays, to: levels.holidays };
		await auditInWrite(tx, store, actor, 'season.levels', `season:${seasonId}`, diff, now);
		return { changed };
	});
	// Holidays move streaks: everyone is decided again in the background, in slices.
	if (result.changed.includes('holidays'))
		reevaluateOnStoreInBackground(store, seasonId, { clock });
	return result;
}
