import { and, asc, eq, sql } from 'drizzle-orm';
import { literal, type BuiltRow } from '../db/prepared';
import { preparedQuery, type Store, type StoreDb, type Tables } from '../db/store';
import { localDateKey } from '../../contest/calendar';
import { scoreActivity, type ActivityScore } from '../../contest/activity-score';
import type { MultiplierMode, Rule } from '../../contest/rules';
import { appendEntryInWrite } from '../scoring/ledger';
import type { StandingMove } from '../scoring/standings';
import { ruleAwards } from '../rules/engine';
import type { Actor } from '../audit/record';

// A season recalculation (scoring/recalculate-store.ts) rescores activities with the same rules as it
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

type RescoreSeason = { id: number; timeZone: string; multiplierMode: MultiplierMode };

// A person's counted activities in the order they were logged, with their types.
const activitiesOfPerson = (db: StoreDb, { activity, activityType, user }: Tables) =>
	db
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
				eq(activity.seasonId, sql.placeholder('seasonId')),
				eq(activity.userId, sql.placeholder('userId')),
				eq(activity.status, literal('counted'))
			)
		)
		.orderBy(asc(activity.id))
		.prepare('rescore_activities_of_person');

type RescoreRow = BuiltRow<typeof activitiesOfPerson>;

/**
 * Scores a person's counted activities again, in the order they were logged, inside a store's
 * read or write.
 */
export async function planActivityRescoreInWrite(
	tx: StoreDb,
	store: Store,
	season: RescoreSeason,
	userId: number,
	seasonRules: readonly Rule[]
): Promise<ActivityRescore> {
	const query = preparedQuery(tx, store, activitiesOfPerson);
	const rows = await query.execute({ seasonId: season.id, userId });
	return rescoreActivities(rows, season, seasonRules);
}

/** Scores the activities given (in the order they were logged) with the season's activity rules. */
function rescoreActivities(
	rows: RescoreRow[],
	season: { timeZone: string; multiplierMode: MultiplierMode },
	seasonRules: readonly Rule[]
): ActivityRescore {
	const rules = seasonRules.filter((rule) => rule.target.kind === 'activity');
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

/** The adjustment entry a rescored activity is booked with: confirmed, as activities are. */
function adjustmentOf(
	seasonId: number,
	target: { id: number; userId: number; teamId: number },
	change: ActivityChange,
	actor: Actor
) {
	return {
		seasonId,
		userId: target.userId,
		teamId: target.teamId,
		activityId: target.id,
		kind: 'adjustment' as const,
		points: change.after - change.before,
		status: 'confirmed' as const,
		breakdown: { items: change.score.items },
		reason: 'Season recalculated with the current rules',
		createdById: actor.userId ?? null
	};
}

// What an adjustment of an activity is booked for, and where its new points go.
const activityTarget = (db: StoreDb, { activity }: Tables) =>
	db
		.select({ userId: activity.userId, teamId: activity.teamId })
		.from(activity)
		.where(eq(activity.id, sql.placeholder('id')))
		.prepare('rescore_activity_target');

const setActivityPoints = (db: StoreDb, { activity }: Tables) =>
	db
		.update(activity)
		.set({
			points: sql`${sql.placeholder('points')}`,
			breakdown: sql`${sql.placeholder('breakdown')}`
		})
		.where(eq(activity.id, sql.placeholder('id')))
		.prepare('rescore_set_activity_points');

/**
 * Books each change as an adjustment entry naming the activity (confirmed, as activities are),
 * with the new breakdown, inside a store's write; the activity shows its new points and
 * breakdown. The people whose standing moved go into `moved` (marked after the commit:
 * markStandingsMoved).
 */
export async function applyActivityRescoreInWrite(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	changes: readonly ActivityChange[],
	actor: Actor,
	now: number,
	moved: StandingMove[]
): Promise<void> {
	for (const change of changes) {
		const [target] = await preparedQuery(tx, store, activityTarget).execute({
			id: change.activityId
		});
		const entry = adjustmentOf(seasonId, { ...target, id: change.activityId }, change, actor);
		await appendEntryInWrite(tx, store, entry, now, moved);
		await preparedQuery(tx, store, setActivityPoints).execute({
			id: change.activityId,
			points: change.after,
			breakdown: JSON.stringify(entry.breakdown)
		});
	}
}
