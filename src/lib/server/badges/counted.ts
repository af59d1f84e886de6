import { and, eq, isNotNull, isNull, ne, or, sql } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Queryable } from '../db';
import type { SubjectType } from '../db/schema';
import { preparedSync } from '../db/prepared';
import { preparedQuery, type Store, type StoreDb, type Tables } from '../db/store';
import {
	countedAwards,
	isCounted,
	type BadgeAward,
	type CountedCriterion,
	type CountedMoment
} from '../../contest/badges';
import { merge, type AwardChanges, type Candidate } from './awards';
import { applyPlanInWrite, withdrawAwardInWrite } from './apply-in-write';

// The counted badge criteria: "awarded once, when the count-th X happened", X being a quiz passed,
// a duel, sprint or knockout won, an activity logged. Each is decided in two places that must
// agree: the write in which X happens (awardCountedInWrite: a pass, a freeze, a log, on either
// dialect) and the badges' re-evaluation of a new or changed badge (reevaluate.ts: countedEarned
// for each person countedDoersInWrite finds). A criterion here is two queries: when a person did
// X in a season (and how much each time counts), and who did X at all.

export type CountedKind = CountedCriterion['kind'];

/**
 * A counted criterion's queries, each a store query (`build(db, tables)`, named): SQLite's
 * connection runs them synchronously with `preparedSync` (the re-evaluation's steps on SQLite,
 * steps.ts), a write awaits them with `preparedQuery`, one definition for both dialects. Their values: `seasonId`, `userId`, and an
 * activity type's key (`type`).
 */
type CountedQuery<Row> = (
	db: StoreDb,
	t: Tables
) => { execute(values: Record<string, unknown>): Promise<Row[]> };
type MomentRow = { at: number | null; weight?: number };
type DoerRow = { id: number | null };

interface Counted {
	/** When a person did it in the season (and how much each time counts), for a criterion. */
	moments(c: CountedCriterion): CountedQuery<MomentRow>[];
	/** Everyone who did it in the season (a superset is harmless: they earn nothing). */
	doers: CountedQuery<DoerRow>[];
}

const toMoments = (rows: MomentRow[]): CountedMoment[] =>
	rows.map((r) => ({ at: r.at ?? 0, weight: r.weight ?? 1 }));
const ids = (rows: DoerRow[]) => rows.flatMap((r) => (r.id === null ? [] : [r.id]));
const seasonOf = sql.placeholder('seasonId');
const userOf = sql.placeholder('userId');

/** A format whose results freeze with a winner (duels, sprints, knockouts): its table's columns. */
interface FrozenWinsTable {
	table: PgTable;
	id: AnyPgColumn;
	seasonId: AnyPgColumn;
	subject: AnyPgColumn;
	status: AnyPgColumn;
	winnerId: AnyPgColumn;
	finalizedAt: AnyPgColumn;
	/** Who was in the winning team when a team's win froze. */
	members: { table: PgTable; winId: AnyPgColumn; userId: AnyPgColumn };
}

/**
 * "N won": a person's frozen wins of the format in a season, each counted when it froze: their
 * own, and those of the team they were in at that moment. `name` prefixes the statements' names.
 */
function frozenWins(name: string, pick: (t: Tables) => FrozenWinsTable): Counted {
	const won = (t: FrozenWinsTable, subject: 'user' | 'team') =>
		and(eq(t.seasonId, seasonOf), eq(t.status, 'final'), eq(t.subject, subject));
	const teamWins = (t: FrozenWinsTable, db: StoreDb) =>
		db
			.select({ at: t.finalizedAt, id: t.members.userId })
			.from(t.members.table)
			.innerJoin(t.table, eq(t.id, t.members.winId));
	const ownMoments: CountedQuery<MomentRow> = (db, tables) => {
		const t = pick(tables);
		return db
			.select({ at: t.finalizedAt })
			.from(t.table)
			.where(and(won(t, 'user'), eq(t.winnerId, userOf)))
			.prepare(`${name}_own_moments`) as ReturnType<CountedQuery<MomentRow>>;
	};
	const teamMoments: CountedQuery<MomentRow> = (db, tables) => {
		const t = pick(tables);
		return teamWins(t, db)
			.where(and(won(t, 'team'), eq(t.members.userId, userOf)))
			.prepare(`${name}_team_moments`) as ReturnType<CountedQuery<MomentRow>>;
	};
	const ownDoers: CountedQuery<DoerRow> = (db, tables) => {
		const t = pick(tables);
		return db
			.selectDistinct({ id: t.winnerId })
			.from(t.table)
			.where(and(won(t, 'user'), isNotNull(t.winnerId)))
			.prepare(`${name}_own_doers`) as ReturnType<CountedQuery<DoerRow>>;
	};
	const teamDoers: CountedQuery<DoerRow> = (db, tables) => {
		const t = pick(tables);
		return teamWins(t, db).where(won(t, 'team')).prepare(`${name}_team_doers`) as ReturnType<
			CountedQuery<DoerRow>
		>;
	};
	return { moments: () => [ownMoments, teamMoments], doers: [ownDoers, teamDoers] };
}

// On their earning attempts: a retry that passes counts nothing more.
const quizMoments: CountedQuery<MomentRow> = (db, { quiz, quizAttempt }) =>
	db
		.select({ at: quizAttempt.createdAt })
		.from(quizAttempt)
		.innerJoin(quiz, eq(quiz.id, quizAttempt.quizId))
		.where(
			and(
				eq(quiz.seasonId, seasonOf),
				eq(quizAttempt.userId, userOf),
				eq(quizAttempt.earning, true),
				eq(quizAttempt.passed, true)
			)
		)
		.prepare('counted_quiz_moments');
const quizDoers: CountedQuery<DoerRow> = (db, { quiz, quizAttempt }) =>
	db
		.selectDistinct({ id: quizAttempt.userId })
		.from(quizAttempt)
		.innerJoin(quiz, eq(quiz.id, quizAttempt.quizId))
		.where(and(eq(quiz.seasonId, seasonOf), eq(quizAttempt.passed, true)))
		.prepare('counted_quiz_doers');

// In units, at the time each activity happened; the type (when the badge names one) by its key
// in the activity's season.
const activityMoments =
	(ofType: boolean): CountedQuery<MomentRow> =>
	(db, { activity, activityType }) =>
		db
			.select({ at: activity.occurredAt, weight: activity.quantity })
			.from(activity)
			.innerJoin(activityType, eq(activityType.id, activity.typeId))
			.where(
				and(
					eq(activity.seasonId, seasonOf),
					eq(activity.userId, userOf),
					eq(activity.status, 'counted'),
					ofType ? eq(activityType.key, sql.placeholder('type')) : undefined
				)
			)
			.orderBy(activity.occurredAt, activity.id)
			.prepare(ofType ? 'counted_activity_moments_of_type' : 'counted_activity_moments');
const activityMomentsOfType = activityMoments(true);
const activityMomentsAll = activityMoments(false);
const activityDoers: CountedQuery<DoerRow> = (db, { activity }) =>
	db
		.selectDistinct({ id: activity.userId })
		.from(activity)
		.where(and(eq(activity.seasonId, seasonOf), eq(activity.status, 'counted')))
		.prepare('counted_activity_doers');

const COUNTED: Record<CountedKind, Counted> = {
	quizzes_passed: { moments: () => [quizMoments], doers: [quizDoers] },
	// Frozen results only: a win that can no longer change, counted when it was frozen.
	duels_won: frozenWins('counted_duels', ({ challenge, challengeWinMember }) => ({
		table: challenge,
		...challenge,
		subject: challenge.subjectType,
		members: {
			table: challengeWinMember,
			winId: challengeWinMember.challengeId,
			...challengeWinMember
		}
	})),
	sprints_won: frozenWins('counted_sprints', ({ sprint, sprintWinMember }) => ({
		table: sprint,
		...sprint,
		members: { table: sprintWinMember, winId: sprintWinMember.sprintId, ...sprintWinMember }
	})),
	knockouts_won: frozenWins('counted_knockouts', ({ knockout, knockoutWinMember }) => ({
		table: knockout,
		...knockout,
		members: {
			table: knockoutWinMember,
			winId: knockoutWinMember.knockoutId,
			...knockoutWinMember
		}
	})),
	activities_logged: {
		moments: (c) =>
			c.kind === 'activities_logged' && c.type !== undefined
				? [activityMomentsOfType]
				: [activityMomentsAll],
		doers: [activityDoers]
	}
};

const countedValues = (seasonId: number, userId: number, c: CountedCriterion) => ({
	seasonId,
	userId,
	type: c.kind === 'activities_logged' ? c.type : undefined
});

/** What `userId` has earned in the season under a counted criterion: at most one award. */
export function countedEarned(
	tx: Queryable,
	seasonId: number,
	userId: number,
	criterion: CountedCriterion
): BadgeAward[] {
	const values = countedValues(seasonId, userId, criterion);
	const rows = COUNTED[criterion.kind]
		.moments(criterion)
		.flatMap((build) => preparedSync(tx, build).all(values));
	return countedAwards(criterion.count, toMoments(rows));
}

/** countedEarned inside a store's write. */
export async function countedEarnedInWrite(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	userId: number,
	criterion: CountedCriterion
): Promise<BadgeAward[]> {
	const values = countedValues(seasonId, userId, criterion);
	const rows: MomentRow[] = [];
	for (const build of COUNTED[criterion.kind].moments(criterion))
		rows.push(...(await preparedQuery(tx, store, build).execute(values)));
	return countedAwards(criterion.count, toMoments(rows));
}

/** Everyone who did what one of `kinds` counts in the season (the re-evaluation's people). */
export async function countedDoersInWrite(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	kinds: Iterable<CountedKind>
): Promise<number[]> {
	const doers = new Set<number>();
	for (const kind of new Set(kinds))
		for (const build of COUNTED[kind].doers)
			for (const id of ids(await preparedQuery(tx, store, build).execute({ seasonId })))
				doers.add(id);
	return [...doers];
}

const memberTeamQuery = (db: StoreDb, { seasonMember }: Tables) =>
	db
		.select({ teamId: seasonMember.teamId })
		.from(seasonMember)
		.where(and(eq(seasonMember.seasonId, seasonOf), eq(seasonMember.userId, userOf)))
		.prepare('counted_member_team');

/** The team a person's badge points go to when they have no sale: their team in the season. */
export function memberTeam(tx: Queryable, seasonId: number, userId: number): number | undefined {
	return preparedSync(tx, memberTeamQuery).get({ seasonId, userId })?.teamId;
}

/** memberTeam inside a store's write. */
export async function memberTeamInWrite(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	userId: number
): Promise<number | undefined> {
	const [row] = await preparedQuery(tx, store, memberTeamQuery).execute({ seasonId, userId });
	return row?.teamId;
}

const NONE = (): AwardChanges => ({ awarded: [], withdrawn: [] });

/** The people in a team of the season now (their one team per season: season_member). */
async function teamMembersNowInWrite(
	tx: StoreDb,
	{ seasonMember }: Tables,
	seasonId: number,
	teamId: number
): Promise<number[]> {
	const rows = await tx
		.select({ userId: seasonMember.userId })
		.from(seasonMember)
		.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.teamId, teamId)))
		.orderBy(seasonMember.userId);
	return rows.map((r) => r.userId);
}

type WinKind = 'duels_won' | 'sprints_won' | 'knockouts_won';

/** Writes down whom a team's frozen win counts for (what frozenWins reads for a team). */
async function recordWinMembersInWrite(
	tx: StoreDb,
	t: Tables,
	kind: WinKind,
	winId: number,
	teamId: number,
	members: readonly number[]
): Promise<void> {
	const rows = members.map((userId) => ({ userId, teamId }));
	if (kind === 'duels_won')
		await tx
			.insert(t.challengeWinMember)
			.values(rows.map((row) => ({ ...row, challengeId: winId })))
			.onConflictDoNothing();
	else if (kind === 'sprints_won')
		await tx
			.insert(t.sprintWinMember)
			.values(rows.map((row) => ({ ...row, sprintId: winId })))
			.onConflictDoNothing();
	else
		await tx
			.insert(t.knockoutWinMember)
			.values(rows.map((row) => ({ ...row, knockoutId: winId })))
			.onConflictDoNothing();
}

/**
 * The badges a duel, sprint or knockout's win gives, in the write that freezes it: the winner's
 * own, or (a team's win) each member's of the team at this moment, whom the win is recorded for
 * so that a badge created later counts the same people. The caller publishes once committed.
 */
export async function awardFrozenWinInWrite(
	tx: StoreDb,
	store: Store,
	kind: WinKind,
	win: { id: number; seasonId: number; subject: SubjectType },
	winnerId: number,
	now: number
): Promise<AwardChanges> {
	if (win.subject === 'user')
		return awardCountedInWrite(tx, store, kind, win.seasonId, winnerId, now);
	const members = await teamMembersNowInWrite(tx, store.tables, win.seasonId, winnerId);
	if (members.length > 0)
		await recordWinMembersInWrite(tx, store.tables, kind, win.id, winnerId, members);
	const changes = NONE();
	for (const userId of members)
		merge(changes, await awardCountedInWrite(tx, store, kind, win.seasonId, userId, now));
	return changes;
}

const activeBadgesQuery = (db: StoreDb, { badge }: Tables) =>
	db
		.select()
		.from(badge)
		.where(and(eq(badge.active, true), or(eq(badge.seasonId, seasonOf), isNull(badge.seasonId))))
		.orderBy(badge.id)
		.prepare('counted_active_badges');

const heldBadgesQuery = (db: StoreDb, { award }: Tables) =>
	db
		.select({ badgeId: award.badgeId })
		.from(award)
		.where(
			and(
				eq(award.seasonId, seasonOf),
				eq(award.subjectType, 'user'),
				eq(award.subjectId, userOf),
				// A withdrawn award (what earned it was voided) is earned again by reaching N again.
				ne(award.status, 'void')
			)
		)
		.prepare('counted_held_badges');

/**
 * Gives `userId` the season's `kind` badges they now qualify for, inside the caller's write (the
 * one in which they passed, won or logged); a badge they hold is never given again (the award's
 * unique index keeps it so when two nodes decide at once). The caller publishes the changes
 * once committed (publishAwardChanges, which also marks the standings the badges' points moved).
 */
export async function awardCountedInWrite(
	tx: StoreDb,
	store: Store,
	kind: CountedKind,
	seasonId: number,
	userId: number,
	now: number
): Promise<AwardChanges> {
	const badges = (await preparedQuery(tx, store, activeBadgesQuery).execute({ seasonId })).filter(
		(b) => b.criterion.kind === kind && isCounted(b.criterion)
	);
	if (badges.length === 0) return NONE();
	const held = new Set(
		(await preparedQuery(tx, store, heldBadgesQuery).execute({ seasonId, userId })).map(
			(a) => a.badgeId
		)
	);
	const subject = { kind: 'user' as const, id: userId };
	const candidates: Candidate[] = [];
	for (const b of badges) {
		if (held.has(b.id)) continue;
		const earned = await countedEarnedInWrite(tx, store, seasonId, userId, b.criterion as never);
		candidates.push(...earned.map((e) => ({ b, subject, ...e })));
	}
	if (candidates.length === 0) return NONE();
	return applyPlanInWrite(
		tx,
		store,
		{
			seasonId,
			isPending: async () => false,
			teamOf: (id) => memberTeamInWrite(tx, store, seasonId, id),
			badgeIds: new Set(badges.map((b) => b.id)),
			candidates
		},
		now
	);
}

const heldWithBadgeQuery = (db: StoreDb, { award, badge }: Tables) =>
	db
		.select({ award, badge })
		.from(award)
		.innerJoin(badge, eq(badge.id, award.badgeId))
		.where(
			and(
				eq(award.seasonId, seasonOf),
				eq(award.subjectType, 'user'),
				eq(award.subjectId, userOf),
				ne(award.status, 'void')
			)
		)
		.prepare('counted_held_awards');

/**
 * Withdraws the season's `kind` badges `userId` holds and no longer earns (what counted was
 * voided), inside the caller's write. One still earned, at another instant, stays: the
 * re-evaluation keeps such an award too (reevaluate.ts). The caller publishes once committed.
 */
export async function withdrawCountedInWrite(
	tx: StoreDb,
	store: Store,
	kind: CountedKind,
	seasonId: number,
	userId: number,
	now: number
): Promise<AwardChanges> {
	const held = await preparedQuery(tx, store, heldWithBadgeQuery).execute({ seasonId, userId });
	const changes = NONE();
	for (const { award: a, badge: b } of held) {
		const c = b.criterion;
		if (c.kind !== kind || !isCounted(c)) continue;
		if ((await countedEarnedInWrite(tx, store, seasonId, userId, c)).length > 0) continue;
		merge(changes, await withdrawAwardInWrite(tx, store, a, b, now));
	}
	return changes;
}
