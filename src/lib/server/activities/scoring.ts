import { and, asc, eq, gte, lt } from 'drizzle-orm';
import type { StoreDb, Store } from '../db/store';
import { localDay, ruleAwards, toEngineRule } from '../rules/engine';
import {
	scoreActivity,
	type ActivityInput,
	type ActivityScore
} from '../../contest/activity-score';
import type { MultiplierMode, Rule } from '../../contest/rules';
import type { ScoreContext } from '../../contest/scoring';

// The season's rules on a logged activity (#17): which rules target activities, and what each of
// them already gave the person's activities that local day (daily caps). Only activities feed an
// activity rule's cap: a sale-line target never matches an activity, nor the other way round.
// Read through the store (db/store.ts), on `store.db` or inside a write's `tx`.

/** The season's rules that can touch an activity (its activity-target rules): on `store.db`, or inside a write with its `tx`. */
export async function readActivityRules(
	db: StoreDb,
	store: Store,
	seasonId: number
): Promise<Rule[]> {
	const { rule } = store.tables;
	const rows = await db
		.select()
		.from(rule)
		.where(eq(rule.seasonId, seasonId))
		.orderBy(asc(rule.id));
	return rows.map(toEngineRule).filter((r) => r.target.kind === 'activity');
}

/**
 * What each rule already gave the person's counted activities on the local day (in the
 * season's zone) of `occurredAt`: those logged so far, as the activity about to be logged sees
 * them.
 */
async function activityAwardsOfDay(
	db: StoreDb,
	store: Store,
	seasonId: number,
	userId: number,
	occurredAt: number,
	timeZone: string
): Promise<Record<number, number>> {
	const { activity } = store.tables;
	const [start, end] = localDay(occurredAt, timeZone);
	const rows = await db
		.select({ breakdown: activity.breakdown })
		.from(activity)
		.where(
			and(
				eq(activity.seasonId, seasonId),
				eq(activity.userId, userId),
				gte(activity.occurredAt, start),
				lt(activity.occurredAt, end),
				eq(activity.status, 'counted')
			)
		);
	return ruleAwards(rows.map((row) => row.breakdown?.items ?? []));
}

/** What the pure scorer needs about the person's day and the season, for one new activity. */
export async function readActivityDayContext(
	db: StoreDb,
	store: Store,
	season: { id: number; timeZone: string; multiplierMode: MultiplierMode },
	userId: number,
	occurredAt: number,
	rules: readonly Rule[]
): Promise<Pick<ScoreContext, 'ruleAwardsToday' | 'multipliers'>> {
	// Without an activity rule there is no cap to count: the day is not read.
	if (rules.length === 0) return {};
	return {
		ruleAwardsToday: await activityAwardsOfDay(
			db,
			store,
			season.id,
			userId,
			occurredAt,
			season.timeZone
		),
		multipliers: season.multiplierMode
	};
}

/** Scores a new activity of `userId` in `season` with the season's rules as they are now. */
export async function scoreNewActivityInWrite(
	tx: StoreDb,
	store: Store,
	season: { id: number; timeZone: string; multiplierMode: MultiplierMode },
	userId: number,
	input: ActivityInput
): Promise<ActivityScore> {
	const rules = await readActivityRules(tx, store, season.id);
	return scoreActivity(
		input,
		rules,
		await readActivityDayContext(tx, store, season, userId, input.occurredAt, rules)
	);
}
