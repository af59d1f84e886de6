import { and, desc, eq, inArray } from 'drizzle-orm';
import type { ActivitySource } from '../db/schema';
import { write, type Store, type StoreDb } from '../db/store';
import { activityDifferences, INTEGRATION_SOURCES, timeProblem } from '../../contest/activity';
import type { ActivityItem } from '../../realtime/events';
import { appendEntryInWrite } from '../scoring/ledger';
import { awardCountedInWrite } from '../badges/counted';
import { publishAwardChanges, type AwardChanges } from '../badges/awards';
import { bumpVersionInWrite, markStandingsMoved, type StandingMove } from '../scoring/standings';
import { notifyLeaderboard, publishActivity } from '../realtime/publish';
import { AppError } from '../shared/errors';
import { systemClock, type Clock } from '../shared/clock';
import { normalizeEmail } from '../people/users';
import { activityItem } from './queries';
import { scoreNewActivityInWrite } from './scoring';

// Logging an activity: the activity row, its ledger entry (kind 'activity'), the standings
// change and the season's version in one write of the store (db/store.ts), then the board and
// the feed move live (logging is not audited: the activity row says who logged it). Its points
// are the type's points × quantity and what the season's activity rules add at logging time;
// the breakdown says why, on the activity and on its ledger entry. The idempotency key works as a sale's externalId: the
// same key with the same activity answers the first result and counts nothing twice; with
// another activity it is refused (409). The key is read inside the write (serializable on both
// dialects), so the same request sent to two nodes at once logs once: on PostgreSQL the second
// write is run again and finds the first one's row. Activities count confirmed at once, also in
// seasons that confirm sales (there is no review of activities: docs/activities.md).
// The "activities logged" badges are given in the same write (badges/counted.ts
// `awardCountedInWrite`), on both dialects: the activity and its badges commit together.

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

async function personOf(tx: StoreDb, store: Store, person: LogActivityInput['person']) {
	const { user } = store.tables;
	const where =
		'email' in person ? eq(user.email, normalizeEmail(person.email)) : eq(user.id, person.userId);
	const [row] = await tx
		.select({ id: user.id, displayName: user.displayName })
		.from(user)
		.where(where)
		.limit(1);
	return row;
}

/**
 * The season to count it in with the person's team there: the season named when it is live and
 * they take part in it, else their latest live one (one query: the season and the membership).
 */
async function seasonOf(tx: StoreDb, store: Store, userId: number, seasonId?: number) {
	const { season, seasonMember, team } = store.tables;
	const [row] = await tx
		.select({ season, teamId: team.id, teamName: team.name })
		.from(season)
		.innerJoin(
			seasonMember,
			and(eq(seasonMember.seasonId, season.id), eq(seasonMember.userId, userId))
		)
		.innerJoin(team, eq(team.id, seasonMember.teamId))
		.where(and(eq(season.status, 'live'), seasonId == null ? undefined : eq(season.id, seasonId)))
		.orderBy(desc(season.startsAt), desc(season.id))
		.limit(1);
	return row;
}

/** The activity recorded under this key before (integrations share one id space), if any. */
async function recordedUnder(
	tx: StoreDb,
	store: Store,
	source: ActivitySource,
	externalId: string
) {
	const { activity, activityType } = store.tables;
	const sources = INTEGRATION_SOURCES.has(source)
		? inArray(activity.source, ['api', 'import'])
		: eq(activity.source, source);
	const [row] = await tx
		.select({ row: activity, typeKey: activityType.key })
		.from(activity)
		.innerJoin(activityType, eq(activityType.id, activity.typeId))
		.where(and(sources, eq(activity.externalId, externalId)))
		.limit(1);
	return row;
}

/** The type of that key in the season. */
async function typeOf(tx: StoreDb, store: Store, seasonId: number, key: string) {
	const { activityType } = store.tables;
	const [row] = await tx
		.select()
		.from(activityType)
		.where(and(eq(activityType.seasonId, seasonId), eq(activityType.key, key)))
		.limit(1);
	return row;
}

export type LoggedInWrite = LoggedActivity & { feed?: ActivityItem; badges?: AwardChanges };

/**
 * The body of logActivity inside the caller's write (an import logs many in one and publishes
 * once). Checks everything before writing anything: a refused activity leaves no trace.
 * Publishes nothing itself; the people whose standing moved go into `moved`, for the caller to
 * mark after the commit.
 */
export async function logActivityInWrite(
	tx: StoreDb,
	store: Store,
	input: LogActivityInput,
	now: number,
	moved: StandingMove[]
): Promise<LoggedInWrite> {
	const { activity } = store.tables;
	const person = await personOf(tx, store, input.person);
	const earlier = await recordedUnder(tx, store, input.source, input.externalId);
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
	const chosen = await seasonOf(tx, store, person.id, input.seasonId);
	if (!chosen)
		throw refused('not_a_member', `${person.displayName} is not in a live season`, 'person');
	const { season: owner, ...membership } = chosen;
	const type = await typeOf(tx, store, owner.id, input.type);
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

	const scored = await scoreNewActivityInWrite(tx, store, owner, person.id, {
		type,
		quantity: input.quantity,
		occurredAt: input.occurredAt
	});
	const points = scored.total;
	const breakdown = { items: scored.items };
	const [row] = await tx
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
		.returning({ id: activity.id });
	const entryId = await appendEntryInWrite(
		tx,
		store,
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
		now,
		moved
	);
	await tx.update(activity).set({ ledgerEntryId: entryId }).where(eq(activity.id, row.id));
	await bumpVersionInWrite(tx, store, owner.id);
	const badges = await awardCountedInWrite(
		tx,
		store,
		'activities_logged',
		owner.id,
		person.id,
		now
	);
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

/** Logs one activity (one write) and moves the board and the feed live once it has committed. */
export async function logActivity(
	store: Store,
	input: LogActivityInput,
	clock: Clock = systemClock
): Promise<LoggedActivity> {
	const now = clock();
	const { feed, badges, moved, ...logged } = await write(store, async (tx) => {
		const moved: StandingMove[] = [];
		return { ...(await logActivityInWrite(tx, store, input, now, moved)), moved };
	});
	if (logged.created) {
		markStandingsMoved(moved);
		if (feed) publishActivity(feed);
		if (badges) publishAwardChanges(logged.seasonId, badges);
		notifyLeaderboard(logged.seasonId);
	}
	return logged;
}
