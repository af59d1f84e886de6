// The synchronous bodies that store ports replaced, kept for the benchmarks that time a port
// against what it replaced (bench/adjust-points.ts, season-choice.ts, store-statements.ts,
// season-home.ts, scheduler-run.ts, log-activity.ts).
import { and, desc, eq, gte, inArray, isNull, lt, lte, ne, or, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../../src/lib/server/db';
import {
	activity,
	activityType,
	award,
	badge,
	product,
	schedulerLease,
	season,
	seasonMember,
	user,
	type ActivitySource
} from '../../src/lib/server/db/schema';
import { prizeViews } from '../../src/lib/server/seasons/prizes';
import { appendEntry } from '../../src/lib/server/scoring/ledger';
import { bumpVersion } from '../../src/lib/server/scoring/standings';
import { audit } from '../../src/lib/server/audit/record';
import { getMembership, graceEndOf } from '../../src/lib/server/seasons/queries';
import {
	activityDifferences,
	INTEGRATION_SOURCES,
	timeProblem
} from '../../src/lib/contest/activity';
import {
	scoreActivity,
	type ActivityInput,
	type ActivityScore
} from '../../src/lib/contest/activity-score';
import type { MultiplierMode, Rule } from '../../src/lib/contest/rules';
import type { ScoreContext } from '../../src/lib/contest/scoring';
import type { ActivityItem } from '../../src/lib/realtime/events';
import { countedEarned, memberTeam, type CountedKind } from '../../src/lib/server/badges/counted';
import {
	applyPlan,
	publishAwardChanges,
	type AwardChanges
} from '../../src/lib/server/badges/awards';
import { isCounted } from '../../src/lib/contest/badges';
import { localDay, ruleAwards } from '../../src/lib/server/rules/engine';
import { notifyLeaderboard, publishActivity } from '../../src/lib/server/realtime/publish';
import { AppError } from '../../src/lib/server/shared/errors';
import { systemClock, type Clock } from '../../src/lib/server/shared/clock';
import { normalizeEmail } from '../../src/lib/server/people/users';
import { activityItem } from '../../src/lib/server/activities/queries';
import { activityRules } from '../../src/lib/server/activities/scoring';
import {
	ActivityConflictError,
	type LogActivityInput,
	type LoggedActivity
} from '../../src/lib/server/activities/record';

export interface Adjustment {
	seasonId: number;
	userId: number;
	points: number;
	reason: string;
	actor: { userId: number };
}

// The synchronous reads src/ no longer calls (2026-12-06, hb-twins: their callers there read
// through the store), kept here for the bodies above and below as they were.

function getSeason(db: Queryable, id: number) {
	return db.select().from(season).where(eq(season.id, id)).get();
}

/** The live season a person takes part in, if any (also bench/record-referral.ts's). */
export function getLiveSeasonFor(db: Queryable, userId: number) {
	return db
		.select({ season })
		.from(season)
		.innerJoin(seasonMember, eq(seasonMember.seasonId, season.id))
		.where(and(eq(season.status, 'live'), eq(seasonMember.userId, userId)))
		.orderBy(desc(season.startsAt), desc(season.id))
		.get()?.season;
}

/** The season's setting for how multipliers on one line combine. */
function multiplierMode(db: Queryable, seasonId: number): MultiplierMode {
	return (
		db.select({ mode: season.multiplierMode }).from(season).where(eq(season.id, seasonId)).get()
			?.mode ?? 'best'
	);
}

/**
 * adjustPoints' body before its port (base 9e8d5a1; its checks left out: the benchmarks pass
 * them): one `db.transaction(…, { behavior: 'immediate' })` of the member's read, `appendEntry`,
 * `audit` and `bumpVersion`, which the sales path keeps.
 */
export function adjustBefore(db: Db, { seasonId, userId, points, reason, actor }: Adjustment) {
	const now = Date.now();
	return db.transaction(
		(tx) => {
			const member = tx
				.select({ teamId: seasonMember.teamId, name: user.displayName })
				.from(seasonMember)
				.innerJoin(user, eq(user.id, seasonMember.userId))
				.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, userId)))
				.get()!;
			const id = appendEntry(
				tx,
				{
					...{ seasonId, userId, teamId: member.teamId, kind: 'adjustment', points },
					...{ status: 'confirmed', reason, createdById: actor.userId }
				},
				now
			);
			audit(tx, actor, 'points.adjust', `user:${userId}`, { seasonId, points, reason }, now);
			bumpVersion(tx, seasonId);
			return id;
		},
		{ behavior: 'immediate' }
	);
}

/**
 * The app layout's reads before the port (choice.ts and +layout.server.ts): the person's live
 * seasons (the switcher), the chosen season again by id or the latest live one, their team.
 */
export function layoutReadsBefore(db: Db, person: { id: number; cookie?: string }) {
	const options = db
		.select({ id: season.id, name: season.name, theme: season.theme })
		.from(season)
		.innerJoin(seasonMember, eq(seasonMember.seasonId, season.id))
		.where(and(eq(season.status, 'live'), eq(seasonMember.userId, person.id)))
		.orderBy(desc(season.startsAt), desc(season.id))
		.all()
		.map((r) => ({ id: r.id, name: r.name, emoji: r.theme.emoji }));
	const remembered = Number(person.cookie);
	const pick = options.some((o) => o.id === remembered) ? remembered : undefined;
	const chosen = (pick ? getSeason(db, pick) : undefined) ?? getLiveSeasonFor(db, person.id);
	return chosen ? getMembership(db, chosen.id, person.id) : undefined;
}

/** A season's prizes as `listPrizes` read them before `readPrizes` replaced it (seasons/prizes.ts). */
export function listPrizesBefore(db: Db, seasonId: number) {
	const row = db
		.select({ prizes: season.prizes })
		.from(season)
		.where(eq(season.id, seasonId))
		.get();
	const prizes = row?.prizes ?? [];
	const badgeIds = prizes.flatMap((p) => (p.badgeId != null ? [p.badgeId] : []));
	const badges =
		badgeIds.length === 0
			? []
			: db
					.select({ id: badge.id, name: badge.name, emoji: badge.emoji })
					.from(badge)
					.where(inArray(badge.id, badgeIds))
					.all();
	return prizeViews(seasonId, prizes, badges);
}

/**
 * A scheduler run with nothing due before its port (base ef47e55, seasons/scheduler.ts), what
 * the seasons' console ran synchronously on every load: the lease read, taken or renewed by an
 * upsert and read back, then the due season's query (none).
 */
export function schedulerRunBefore(db: Db, holder: string, now: number): boolean {
	const current = db
		.select()
		.from(schedulerLease)
		.where(eq(schedulerLease.name, 'scheduler'))
		.get();
	if (current && current.holder !== holder && current.expiresAt > now) return false;
	const expiresAt = now + 60_000;
	db.insert(schedulerLease)
		.values({ name: 'scheduler', holder, expiresAt })
		.onConflictDoUpdate({
			target: schedulerLease.name,
			set: { holder, expiresAt },
			setWhere: or(lte(schedulerLease.expiresAt, now), eq(schedulerLease.holder, holder))
		})
		.run();
	if (
		db.select().from(schedulerLease).where(eq(schedulerLease.name, 'scheduler')).get()?.holder !==
		holder
	)
		return false;
	const launchNeeds = sql`(
		exists (select 1 from ${seasonMember} where ${seasonMember.seasonId} = ${season.id})
		and exists (select 1 from ${product} where ${product.seasonId} = ${season.id} and ${product.active} = 1)
	)`;
	const due = db
		.select()
		.from(season)
		.where(
			sql`(${season.status} = 'scheduled' and ${season.startsAt} <= ${now} and ${launchNeeds})
				or (${season.status} = 'live' and ${season.endsAt} <= ${now})
				or (${season.status} = 'ended' and ${graceEndOf(season)} <= ${now})`
		)
		.orderBy(season.endsAt, season.id)
		.limit(1)
		.get();
	return due === undefined;
}

// Logging an activity before the port (activities/record.ts and scoring.ts at ef47e55), for
// bench/log-activity.ts.

function refused(code: string, message: string, field: string): AppError {
	return new AppError(422, code, message, { field });
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

type LoggedInTx = LoggedActivity & { feed?: ActivityItem; badges?: AwardChanges };

/**
 * The body of logActivity inside the caller's transaction (an import logs many in one and
 * publishes once). Checks everything before writing anything: a refused activity leaves no
 * trace. Publishes nothing itself.
 */
function logActivityInTx(tx: Queryable, input: LogActivityInput, now: number): LoggedInTx {
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
	const type = tx
		.select()
		.from(activityType)
		.where(and(eq(activityType.seasonId, owner.id), eq(activityType.key, input.type)))
		.get();
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

/** logActivity before the port: its own synchronous transaction, then the board and the feed. */
export function logActivityBefore(
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

/**
 * What each rule already gave the person's counted activities on the local day (in the
 * season's zone) of `occurredAt`. "Already" means logged before `beforeId` (a smaller id), so a
 * recalculation that replays activities in id order sees the same day.
 */
function activityAwardsOfDay(
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
function activityDayContext(
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
function scoreNewActivity(
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

/**
 * The counted badges' synchronous step (badges/counted.ts before awardCountedInWrite): the
 * season's `kind` badges `userId` now qualifies for, inside the caller's transaction.
 */
export function awardCounted(
	tx: Queryable,
	kind: CountedKind,
	seasonId: number,
	userId: number,
	now: number
): AwardChanges {
	const none = (): AwardChanges => ({ awarded: [], withdrawn: [] });
	const badges = tx
		.select()
		.from(badge)
		.where(and(eq(badge.active, true), or(eq(badge.seasonId, seasonId), isNull(badge.seasonId))))
		.all()
		.filter((b) => b.criterion.kind === kind);
	if (badges.length === 0) return none();
	const held = new Set(
		tx
			.select({ badgeId: award.badgeId })
			.from(award)
			.where(
				and(
					eq(award.seasonId, seasonId),
					eq(award.subjectType, 'user'),
					eq(award.subjectId, userId),
					ne(award.status, 'void')
				)
			)
			.all()
			.map((a) => a.badgeId)
	);
	const subject = { kind: 'user' as const, id: userId };
	const candidates = badges.flatMap((b) =>
		held.has(b.id) || !isCounted(b.criterion)
			? []
			: countedEarned(tx, seasonId, userId, b.criterion).map((e) => ({ b, subject, ...e }))
	);
	if (candidates.length === 0) return none();
	return applyPlan(
		tx,
		{
			seasonId,
			isPending: () => false,
			teamOf: (id) => memberTeam(tx, seasonId, id),
			badgeIds: new Set(badges.map((b) => b.id)),
			candidates
		},
		now
	);
}
