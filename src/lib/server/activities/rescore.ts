import { and, asc, eq } from 'drizzle-orm';
import type { Queryable } from '../db';
import { activity, activityType, user } from '../db/schema';
import { localDateKey } from '../../contest/calendar';
import { scoreActivity, type ActivityScore } from '../../contest/activity-score';
import type { MultiplierMode, Rule } from '../../contest/rules';
import { appendEntry } from '../scoring/ledger';
import { ruleAwards } from '../rules/engine';
import type { Actor } from '../audit/record';
import { activityRules } from './scoring';

// A season recalculation (scoring/recalculate.ts) rescores activities with the same rules as it
// rescores sales. An activity keeps its base (its type's points when it was logged, as
// docs/activities.md promises); only what the activity rules add is computed again.

export interface ActivityChange {
	activityId: number;
	userId: number;
	userName: string;
	before: number;
	after: number;
	score: ActivityScore;
}

export interface ActivityRescore {
	checked: number;
	changes: ActivityChange[];
	/** Per person: the points of their activities before and after. */
	people: Map<number, { userId: number; name: string; before: number; after: number }>;
}

/**
 * Scores every counted activity of the season (of one person with `userId`) again, in the order
 * they were logged.
 */
export function planActivityRescore(
	db: Queryable,
	season: { id: number; timeZone: string; multiplierMode: MultiplierMode },
	userId?: number,
	/** The season's rules when the caller has read them already (a recalculation does). */
	seasonRules?: readonly Rule[]
): ActivityRescore {
	const rules = seasonRules
		? seasonRules.filter((rule) => rule.target.kind === 'activity')
		: activityRules(db, season.id);
	const rows = db
		.select({
			id: activity.id,
			userId: activity.userId,
			userName: user.displayName,
			quantity: activity.quantity,
			occurredAt: activity.occurredAt,
			points: activity.points,
			breakdown: activity.breakdown,
			key: activityType.key,
			name: activityType.name
		})
		.from(activity)
		.innerJoin(activityType, eq(activityType.id, activity.typeId))
		.innerJoin(user, eq(user.id, activity.userId))
		.where(
			and(
				eq(activity.seasonId, season.id),
				eq(activity.status, 'counted'),
				userId === undefined ? undefined : eq(activity.userId, userId)
			)
		)
		.orderBy(asc(activity.id))
		.all();
	const days = new Map<string, { ruleId?: number; points: number }[][]>();
	const changes: ActivityChange[] = [];
	const people: ActivityRescore['people'] = new Map();
	for (const row of rows) {
		// Activities logged before rules applied to them carry no breakdown: their points are the base.
		const base = row.breakdown
			? row.breakdown.items
					.filter((item) => item.ruleId == null)
					.reduce((sum, i) => sum + i.points, 0)
			: row.points;
		const dayKey = `${row.userId}:${localDateKey(row.occurredAt, season.timeZone)}`;
		const day = days.get(dayKey) ?? [];
		const score = scoreActivity(
			{
				type: { key: row.key, name: row.name, points: base / row.quantity },
				quantity: row.quantity,
				occurredAt: row.occurredAt
			},
			rules,
			{ ruleAwardsToday: ruleAwards(day), multipliers: season.multiplierMode }
		);
		day.push(score.items);
		days.set(dayKey, day);
		const person = people.get(row.userId) ?? {
			userId: row.userId,
			name: row.userName,
			before: 0,
			after: 0
		};
		person.before += row.points;
		person.after += score.total;
		people.set(row.userId, person);
		if (score.total !== row.points)
			changes.push({
				activityId: row.id,
				userId: row.userId,
				userName: row.userName,
				before: row.points,
				after: score.total,
				score
			});
	}
	return { checked: rows.length, changes, people };
}

/**
 * Books each change as an adjustment entry naming the activity (confirmed, as activities are),
 * with the new breakdown; the activity shows its new points and breakdown.
 */
export function applyActivityRescore(
	tx: Queryable,
	seasonId: number,
	changes: readonly ActivityChange[],
	actor: Actor,
	now: number
): void {
	for (const change of changes) {
		const target = tx.select().from(activity).where(eq(activity.id, change.activityId)).get()!;
		const breakdown = { items: change.score.items };
		appendEntry(
			tx,
			{
				seasonId,
				userId: target.userId,
				teamId: target.teamId,
				activityId: target.id,
				kind: 'adjustment',
				points: change.after - change.before,
				status: 'confirmed',
				breakdown,
				reason: 'Season recalculated with the current rules',
				createdById: actor.userId ?? null
			},
			now
		);
		tx.update(activity)
			.set({ points: change.after, breakdown })
			.where(eq(activity.id, target.id))
			.run();
	}
}
