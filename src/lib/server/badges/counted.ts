import { and, eq, isNotNull, isNull, ne, or } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Queryable } from '../db';
import {
	activity,
	activityType,
	award,
	badge,
	challenge,
	challengeWinMember,
	knockout,
	knockoutWinMember,
	quiz,
	quizAttempt,
	seasonMember,
	sprint,
	sprintWinMember,
	type SubjectType
} from '../db/schema';
import {
	countedAwards,
	isCounted,
	type BadgeAward,
	type CountedCriterion,
	type CountedMoment
} from '../../contest/badges';
import { applyPlan, merge, withdrawAward, type AwardChanges, type Plan } from './awards';
import type { ActivityItem } from '../../realtime/events';

// The counted badge criteria: "awarded once, when the count-th X happened", X being a quiz passed,
// a duel, sprint or knockout won, an activity logged. Each is decided in two places that must
// agree: the transaction in which X happens (awardCounted: a pass, a freeze, a log) and the
// badges' re-evaluation of a new or changed badge (reevaluate.ts: countedEarned for each person
// withCountedDoers adds). A criterion here is two queries: when a person did X in a season (and
// how much each time counts), and who did X at all.

export type CountedKind = CountedCriterion['kind'];

interface Counted {
	/** When `userId` did it in the season, and what each time counts for. */
	moments(tx: Queryable, seasonId: number, userId: number, c: CountedCriterion): CountedMoment[];
	/** Everyone who did it in the season (a superset is harmless: they earn nothing). */
	doers(tx: Queryable, seasonId: number): number[];
}

const once = (rows: { at: number | null }[]): CountedMoment[] =>
	rows.map((r) => ({ at: r.at ?? 0, weight: 1 }));
const ids = (rows: { id: number | null }[]) => rows.flatMap((r) => (r.id === null ? [] : [r.id]));

/** A format whose results freeze with a winner (duels, sprints, knockouts): its table's columns. */
interface FrozenWinsTable {
	table: SQLiteTable;
	id: SQLiteColumn;
	seasonId: SQLiteColumn;
	subject: SQLiteColumn;
	status: SQLiteColumn;
	winnerId: SQLiteColumn;
	finalizedAt: SQLiteColumn;
	/** Who was in the winning team when a team's win froze. */
	members: { table: SQLiteTable; winId: SQLiteColumn; userId: SQLiteColumn };
}

/**
 * "N won": a person's frozen wins of the format in a season, each counted when it froze: their
 * own, and those of the team they were in at that moment.
 */
function frozenWins(t: FrozenWinsTable): Counted {
	const final = (seasonId: number) => and(eq(t.seasonId, seasonId), eq(t.status, 'final'));
	const won = (seasonId: number) => and(final(seasonId), eq(t.subject, 'user'));
	const teamWins = (tx: Queryable, seasonId: number, userId?: number) =>
		tx
			.select({ at: t.finalizedAt, id: t.members.userId })
			.from(t.members.table)
			.innerJoin(t.table, eq(t.id, t.members.winId))
			.where(
				and(
					final(seasonId),
					eq(t.subject, 'team'),
					userId === undefined ? undefined : eq(t.members.userId, userId)
				)
			)
			.all() as { at: number | null; id: number }[];
	return {
		moments: (tx, seasonId, userId) =>
			once([
				...(tx
					.select({ at: t.finalizedAt })
					.from(t.table)
					.where(and(won(seasonId), eq(t.winnerId, userId)))
					.all() as { at: number | null }[]),
				...teamWins(tx, seasonId, userId)
			]),
		doers: (tx, seasonId) =>
			ids([
				...(tx
					.selectDistinct({ id: t.winnerId })
					.from(t.table)
					.where(and(won(seasonId), isNotNull(t.winnerId)))
					.all() as { id: number | null }[]),
				...teamWins(tx, seasonId)
			])
	};
}

const COUNTED: Record<CountedKind, Counted> = {
	// On their earning attempts: a retry that passes counts nothing more.
	quizzes_passed: {
		moments: (tx, seasonId, userId) =>
			once(
				tx
					.select({ at: quizAttempt.createdAt })
					.from(quizAttempt)
					.innerJoin(quiz, eq(quiz.id, quizAttempt.quizId))
					.where(
						and(
							eq(quiz.seasonId, seasonId),
							eq(quizAttempt.userId, userId),
							eq(quizAttempt.earning, true),
							eq(quizAttempt.passed, true)
						)
					)
					.all()
			),
		doers: (tx, seasonId) =>
			ids(
				tx
					.selectDistinct({ id: quizAttempt.userId })
					.from(quizAttempt)
					.innerJoin(quiz, eq(quiz.id, quizAttempt.quizId))
					.where(and(eq(quiz.seasonId, seasonId), eq(quizAttempt.passed, true)))
					.all()
			)
	},
	// Frozen results only: a win that can no longer change, counted when it was frozen.
	duels_won: frozenWins({
		table: challenge,
		...challenge,
		subject: challenge.subjectType,
		members: {
			table: challengeWinMember,
			winId: challengeWinMember.challengeId,
			...challengeWinMember
		}
	}),
	sprints_won: frozenWins({
		table: sprint,
		...sprint,
		members: { table: sprintWinMember, winId: sprintWinMember.sprintId, ...sprintWinMember }
	}),
	knockouts_won: frozenWins({
		table: knockout,
		...knockout,
		members: { table: knockoutWinMember, winId: knockoutWinMember.knockoutId, ...knockoutWinMember }
	}),
	// In units, at the time each activity happened; the type by its key in the activity's season.
	activities_logged: {
		moments: (tx, seasonId, userId, c) => {
			const type = c.kind === 'activities_logged' ? c.type : undefined;
			return tx
				.select({ at: activity.occurredAt, weight: activity.quantity })
				.from(activity)
				.innerJoin(activityType, eq(activityType.id, activity.typeId))
				.where(
					and(
						eq(activity.seasonId, seasonId),
						eq(activity.userId, userId),
						eq(activity.status, 'counted'),
						type === undefined ? undefined : eq(activityType.key, type)
					)
				)
				.orderBy(activity.occurredAt, activity.id)
				.all();
		},
		doers: (tx, seasonId) =>
			ids(
				tx
					.selectDistinct({ id: activity.userId })
					.from(activity)
					.where(and(eq(activity.seasonId, seasonId), eq(activity.status, 'counted')))
					.all()
			)
	}
};

/** What `userId` has earned in the season under a counted criterion: at most one award. */
export function countedEarned(
	tx: Queryable,
	seasonId: number,
	userId: number,
	criterion: CountedCriterion
): BadgeAward[] {
	return countedAwards(
		criterion.count,
		COUNTED[criterion.kind].moments(tx, seasonId, userId, criterion)
	);
}

/** The re-evaluation's subjects plus everyone who did what one of `kinds` counts. */
export function withCountedDoers<T extends { kind: string; id: number }>(
	subjects: (T | { kind: 'user'; id: number })[],
	tx: Queryable,
	seasonId: number,
	kinds: Iterable<CountedKind>
) {
	const seen = new Set(subjects.filter((s) => s.kind === 'user').map((s) => s.id));
	for (const kind of new Set(kinds))
		for (const id of COUNTED[kind].doers(tx, seasonId))
			if (!seen.has(id)) {
				seen.add(id);
				subjects.push({ kind: 'user', id });
			}
	return subjects;
}

/** The team a person's badge points go to when they have no sale: their team in the season. */
export function memberTeam(tx: Queryable, seasonId: number, userId: number): number | undefined {
	return tx
		.select({ teamId: seasonMember.teamId })
		.from(seasonMember)
		.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, userId)))
		.get()?.teamId;
}

const NONE = (): AwardChanges => ({ awarded: [], withdrawn: [] });

/** The people in a team of the season now (their one team per season: season_member). */
function teamMembersNow(tx: Queryable, seasonId: number, teamId: number): number[] {
	return tx
		.select({ userId: seasonMember.userId })
		.from(seasonMember)
		.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.teamId, teamId)))
		.orderBy(seasonMember.userId)
		.all()
		.map((r) => r.userId);
}

type WinKind = 'duels_won' | 'sprints_won' | 'knockouts_won';

/** Writes down whom a team's frozen win counts for (what frozenWins reads for a team). */
function recordWinMembers(
	tx: Queryable,
	kind: WinKind,
	winId: number,
	teamId: number,
	members: readonly number[]
): void {
	const rows = members.map((userId) => ({ userId, teamId }));
	if (kind === 'duels_won')
		tx.insert(challengeWinMember)
			.values(rows.map((row) => ({ ...row, challengeId: winId })))
			.onConflictDoNothing()
			.run();
	else if (kind === 'sprints_won')
		tx.insert(sprintWinMember)
			.values(rows.map((row) => ({ ...row, sprintId: winId })))
			.onConflictDoNothing()
			.run();
	else
		tx.insert(knockoutWinMember)
			.values(rows.map((row) => ({ ...row, knockoutId: winId })))
			.onConflictDoNothing()
			.run();
}

/**
 * The badges a duel, sprint or knockout's win gives, in the transaction that freezes it: the
 * winner's own, or (a team's win) each member's of the team at this moment, whom the win is
 * recorded for so that a badge created later counts the same people.
 */
export function awardFrozenWin(
	tx: Queryable,
	kind: WinKind,
	win: { id: number; seasonId: number; subject: SubjectType },
	winnerId: number,
	now: number
): AwardChanges {
	if (win.subject === 'user') return awardCounted(tx, kind, win.seasonId, winnerId, now);
	const members = teamMembersNow(tx, win.seasonId, winnerId);
	if (members.length > 0) recordWinMembers(tx, kind, win.id, winnerId, members);
	return members.reduce(
		(all, userId) => merge(all, awardCounted(tx, kind, win.seasonId, userId, now)),
		NONE()
	);
}

/**
 * Gives `userId` the season's `kind` badges they now qualify for, inside the caller's
 * transaction (the one in which they passed, won or logged); a badge they hold is never given
 * again. The caller publishes the changes once committed.
 */
export function awardCounted(
	tx: Queryable,
	kind: CountedKind,
	seasonId: number,
	userId: number,
	now: number
): AwardChanges {
	const badges = tx
		.select()
		.from(badge)
		.where(and(eq(badge.active, true), or(eq(badge.seasonId, seasonId), isNull(badge.seasonId))))
		.all()
		.filter((b) => b.criterion.kind === kind);
	if (badges.length === 0) return NONE();
	const held = new Set(
		tx
			.select({ badgeId: award.badgeId })
			.from(award)
			.where(
				and(
					eq(award.seasonId, seasonId),
					eq(award.subjectType, 'user'),
					eq(award.subjectId, userId),
					// A withdrawn award (what earned it was voided) is earned again by reaching N again.
					ne(award.status, 'void')
				)
			)
			.all()
			.map((a) => a.badgeId)
	);
	const subject = { kind: 'user' as const, id: userId };
	const plan: Plan = {
		seasonId,
		isPending: () => false,
		teamOf: (id) => memberTeam(tx, seasonId, id),
		badgeIds: new Set(badges.map((b) => b.id)),
		candidates: badges.flatMap((b) =>
			held.has(b.id) || !isCounted(b.criterion)
				? []
				: countedEarned(tx, seasonId, userId, b.criterion).map((e) => ({ b, subject, ...e }))
		)
	};
	if (plan.candidates.length === 0) return NONE();
	return applyPlan(tx, plan, now);
}

/**
 * Withdraws the season's `kind` badges `userId` holds and no longer earns (what counted was
 * voided), inside the caller's transaction. One still earned, at another instant, stays: the
 * re-evaluation keeps such an award too (reevaluate.ts). The caller publishes once committed.
 */
export function withdrawCounted(
	tx: Queryable,
	kind: CountedKind,
	seasonId: number,
	userId: number,
	now: number
): AwardChanges {
	const held = tx
		.select({ award, badge })
		.from(award)
		.innerJoin(badge, eq(badge.id, award.badgeId))
		.where(
			and(
				eq(award.seasonId, seasonId),
				eq(award.subjectType, 'user'),
				eq(award.subjectId, userId),
				ne(award.status, 'void')
			)
		)
		.all();
	const withdrawn: ActivityItem[] = [];
	for (const { award: a, badge: b } of held) {
		const c = b.criterion;
		if (c.kind !== kind || !isCounted(c) || countedEarned(tx, seasonId, userId, c).length > 0)
			continue;
		const item = withdrawAward(tx, a, b, now);
		if (item) withdrawn.push(item);
	}
	return { awarded: [], withdrawn };
}
