import { and, eq, gte, lt } from 'drizzle-orm';
import type { Queryable } from '../db';
import { activity } from '../db/schema';
import { engineRules, localDay, multiplierMode, ruleAwards } from '../rules/engine';
import {
	scoreActivity,
	type ActivityInput,
	type ActivityScore
} from '../../contest/activity-score';
import type { Rule } from '../../contest/rules';
import type { ScoreContext } from '../../contest/scoring';

// The season's rules on a logged activity (#17): which rules target activities, and what each of
// them already gave the person's activities that local day (daily caps). Only activities feed an
// activity rule's cap: a sale-line target never matches an activity, nor the other way round.

/** The season's rules that can touch an activity (its activity-target rules). */
export function activityRules(db: Queryable, seasonId: number): Rule[] {
	return engineRules(db, seasonId).filter((rule) => rule.target.kind === 'activity');
}

/**
 * What each rule already gave the person's counted activities on the local day (in the
 * season's zone) of `occurredAt`. "Already" means logged before `beforeId` (a smaller id), so a
 * recalculation that replays activities in id order sees the same day.
 */
export function activityAwardsOfDay(
	db: Queryable,
	seasonId: number,
	userId: number,
	occurredAt: number,
	timeZone: string,
	beforeId = Number.MAX_SAFE_INTEGER
): Record<number, number> {
	const [start, end] = localDay(occurredAt, timeZone);
	const rows = db
		.select({ breakdown: activity.breakdown })
		.from(activity)
		.where(
			and(
				eq(activity.seasonId, seasonId),
				eq(activity.userId, userId),
				gte(activity.occurredAt, start),
				lt(activity.occurredAt, end),
				lt(activity.id, beforeId),
				eq(activity.status, 'counted')
			)
		)
		.all();
	return ruleAwards(rows.map((row) => row.breakdown?.items ?? []));
}

/** What the pure scorer needs about the person's day and the season, for one new activity. */
export function activityDayContext(
	db: Queryable,
	season: { id: number; timeZone: string },
	userId: number,
	occurredAt: number,
	rules: readonly Rule[]
): Pick<ScoreContext, 'ruleAwardsToday' | 'multipliers'> {
	// Without an activity rule there is no cap to count: the day is not read.
	if (rules.length === 0) return {};
	return {
		ruleAwardsToday: activityAwardsOfDay(db, season.id, userId, occurredAt, season.timeZone),
		multipliers: multiplierMode(db, season.id)
	};
}

/** Scores a new activity of `userId` in `season` with the season's rules as they are now. */
export function scoreNewActivity(
	db: Queryable,
	season: { id: number; timeZone: string },
	userId: number,
	input: ActivityInput
): ActivityScore {
	const rules = activityRules(db, season.id);
	return scoreActivity(
		input,
		rules,
		activityDayContext(db, season, userId, input.occurredAt, rules)
	);
}
