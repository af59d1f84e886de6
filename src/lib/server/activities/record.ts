import { and, eq, inArray } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import { activity, activityType, season, user, type ActivitySource } from '../db/schema';
import { activityDifferences, INTEGRATION_SOURCES, timeProblem } from '../../contest/activity';
import type { ActivityItem } from '../../realtime/events';
import { appendEntry } from '../scoring/ledger';
import { awardCounted } from '../badges/counted';
import { publishAwardChanges, type AwardChanges } from '../badges/awards';
import { bumpVersion } from '../scoring/standings';
import { getLiveSeasonFor, getMembership } from '../seasons/queries';
import { notifyLeaderboard, publishActivity } from '../realtime/publish';
import { AppError } from '../shared/errors';
import { systemClock, type Clock } from '../shared/clock';
import { normalizeEmail } from '../people/users';
import { activityTypeByKeyInTransaction } from './types';
import { activityItem } from './queries';
import { scoreNewActivity } from './scoring';

// Logging an activity: the activity row, its ledger entry (kind 'activity') and the standings
// change in one transaction, then the board and the feed move live. Its points are the type's
// points × quantity and what the season's activity rules add at logging time; the breakdown says
// why, on the activity and on its ledger entry. The idempotency key works as
// a sale's externalId: the same key with the same activity answers the first result and counts
// nothing twice; with another activity it is refused (409). Activities count confirmed at once,
// also in seasons that confirm sales (there is no review of activities: docs/activities.md).
// The "activities logged" badges the activity earns are given in the same transaction.

export interface LogActivityInput {
	source: ActivitySource;
	externalId: string;
	person: { email: string } | { userId: number };
	/** The type's key in the person's season (`call`). */
	type: string;
	quantity: number;
	occurredAt: number;
	/**
	 * The live season to count it in (the season chosen on /sell, an import's season); by
	 * default the person's latest live season.
	 */
	seasonId?: number;
	createdById?: number | null;
}

export interface LoggedActivity {
	activity: { id: number; points: number };
	seasonId: number;
	userId: number;
	/** False when the key was used before for this same activity: nothing was counted. */
	created: boolean;
}

/** The API's (and the import's) refusals: a well-formed activity that cannot be counted. */
export type ActivityErrorCode =
	'unknown_person' | 'not_a_member' | 'unknown_activity_type' | 'in_the_future' | 'outside_season';

function refused(code: ActivityErrorCode, message: string, field: string): AppError {
	return new AppError(422, code, message, { field });
}

/** The key was used for another activity (API 409, like a sale's idempotency_conflict). */
export class ActivityConflictError extends AppError {
	constructor(externalId: string, differs: string[]) {
		super(
			409,
			'idempotency_conflict',
			`externalId ${externalId} was already used for a different activity`,
			{ details: { externalId, differs } }
		);
		this.name = 'ActivityConflictError';
	}
}

function personOf(tx: Queryable, person: LogActivityInput['person']) {
	const where =
		'email' in person ? eq(user.email, normalizeEmail(person.email)) : eq(user.id, person.userId);
	return tx.select({ id: user.id, displayName: user.displayName }).from(user).where(where).get();
}

/** The season named (when the person is in it and it is live), else their latest live one. */
function seasonOf(tx: Queryable, userId: number, seasonId?: number) {
	if (seasonId == null) return getLiveSeasonFor(tx, userId);
	const chosen = tx.select().from(season).where(eq(season.id, seasonId)).get();
	return chosen?.status === 'live' && getMembership(tx, chosen.id, userId) ? chosen : undefined;
}

/** The activity recorded under this key before (integrations share one id space), if any. */
function recordedUnder(tx: Queryable, source: ActivitySource, externalId: string) {
	const sources = INTEGRATION_SOURCES.has(source)
		? inArray(activity.source, ['api', 'import'])
		: eq(activity.source, source);
	return tx
		.select({ row: activity, typeKey: activityType.key })
		.from(activity)
		.innerJoin(activityType, eq(activityType.id, activity.typeId))
		.where(and(sources, eq(activity.externalId, externalId)))
		.get();
}

export type LoggedInTx = LoggedActivity & { feed?: ActivityItem; badges?: AwardChanges };

/**
 * The body of logActivity inside the caller's transaction (an import logs many in one and
 * publishes once). Checks everything before writing anything: a refused activity leaves no
 * trace. Publishes nothing itself.
 */
export function logActivityInTx(tx: Queryable, input: LogActivityInput, now: number): LoggedInTx {
	const person = personOf(tx, input.person);
	const earlier = recordedUnder(tx, input.source, input.externalId);
	if (earlier) {
		const differs = activityDifferences(
			{ ...earlier.row, typeKey: earlier.typeKey },
			{
				userId: person?.id ?? -1,
				typeKey: input.type,
				quantity: input.quantity,
				occurredAt: input.occurredAt,
				seasonId: input.seasonId
			},
			input.source
		);
		if (differs.length > 0) throw new ActivityConflictError(input.externalId, differs);
		const { id, points, seasonId, userId } = earlier.row;
		return { activity: { id, points }, seasonId, userId, created: false };
	}
	if (!person) throw refused('unknown_person', 'No user has this email', 'person');
	const owner = seasonOf(tx, person.id, input.seasonId);
	const membership = owner && getMembership(tx, owner.id, person.id);
	if (!owner || !membership)
		throw refused('not_a_member', `${person.displayName} is not in a live season`, 'person');
	const type = activityTypeByKeyInTransaction(tx, owner.id, input.type);
	if (!type || !type.active)
		throw refused(
			'unknown_activity_type',
			`"${input.type}" is not an active activity type of the season "${owner.name}"`,
			'type'
		);
	const problem = timeProblem(input.occurredAt, now, owner);
	if (problem === 'in_the_future')
		throw refused('in_the_future', 'occurredAt is in the future', 'occurredAt');
	if (problem === 'outside_season')
		throw refused(
			'outside_season',
			`occurredAt is outside the season "${owner.name}"`,
			'occurredAt'
		);

	const scored = scoreNewActivity(tx, owner, person.id, {
		type,
		quantity: input.quantity,
		occurredAt: input.occurredAt
	});
	const points = scored.total;
	const breakdown = { items: scored.items };
	const row = tx
		.insert(activity)
		.values({
			seasonId: owner.id,
			userId: person.id,
			teamId: membership.teamId,
			typeId: type.id,
			quantity: input.quantity,
			occurredAt: input.occurredAt,
			source: input.source,
			externalId: input.externalId,
			status: 'counted',
			points,
			breakdown,
			createdById: input.createdById ?? null,
			createdAt: now
		})
		.returning({ id: activity.id })
		.get();
	const entryId = appendEntry(
		tx,
		{
			seasonId: owner.id,
			userId: person.id,
			teamId: membership.teamId,
			activityId: row.id,
			kind: 'activity',
			points,
			status: 'confirmed',
			breakdown,
			reason: `${input.quantity} × ${type.name}`,
			createdById: input.createdById ?? null
		},
		now
	);
	tx.update(activity).set({ ledgerEntryId: entryId }).where(eq(activity.id, row.id)).run();
	bumpVersion(tx, owner.id);
	const badges = awardCounted(tx, 'activities_logged', owner.id, person.id, now);
	return {
		activity: { id: row.id, points },
		seasonId: owner.id,
		userId: person.id,
		created: true,
		feed: activityItem({
			id: row.id,
			seasonId: owner.id,
			userId: person.id,
			userName: person.displayName,
			teamName: membership.teamName,
			type,
			quantity: input.quantity,
			points,
			at: input.occurredAt
		}),
		badges
	};
}

/** Logs one activity (its own transaction) and moves the board and the feed live. */
export function logActivity(
	db: Db,
	input: LogActivityInput,
	clock: Clock = systemClock
): LoggedActivity {
	const now = clock();
	const { feed, badges, ...logged } = db.transaction((tx) => logActivityInTx(tx, input, now), {
		behavior: 'immediate'
	});
	if (logged.created) {
		if (feed) publishActivity(feed);
		if (badges) publishAwardChanges(logged.seasonId, badges);
		notifyLeaderboard(logged.seasonId);
	}
	return logged;
}
