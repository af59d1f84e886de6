import { and, eq, or, isNull } from 'drizzle-orm';
import type { Queryable } from '../db';
import { award, badge, quiz, quizAttempt, seasonMember } from '../db/schema';
import { quizzesPassedAwards } from '../../contest/badges';
import { applyPlan, type AwardChanges, type Plan } from '../badges/awards';

// The badge criterion "quizzes passed": decided when a person passes a quiz on their earning
// attempt (attempts.ts, in the attempt's transaction), and by the badges' re-evaluation for a new
// or changed badge (badges/reevaluate.ts asks passedAt and withQuizTakers).

/** When `userId` passed the season's quizzes, on their earning attempts. */
export function passedAt(tx: Queryable, seasonId: number, userId: number): number[] {
	return tx
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
		.map((r) => r.at);
}

export function memberTeam(tx: Queryable, seasonId: number, userId: number): number | undefined {
	return tx
		.select({ teamId: seasonMember.teamId })
		.from(seasonMember)
		.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, userId)))
		.get()?.teamId;
}

/** The badge re-evaluation's subjects plus everyone who passed a quiz of the season. */
export function withQuizTakers<T extends { kind: string; id: number }>(
	subjects: (T | { kind: 'user'; id: number })[],
	tx: Queryable,
	seasonId: number
) {
	const seen = new Set(subjects.filter((s) => s.kind === 'user').map((s) => s.id));
	const takers = tx
		.selectDistinct({ id: quizAttempt.userId })
		.from(quizAttempt)
		.innerJoin(quiz, eq(quiz.id, quizAttempt.quizId))
		.where(and(eq(quiz.seasonId, seasonId), eq(quizAttempt.passed, true)))
		.all();
	for (const t of takers) if (!seen.has(t.id)) subjects.push({ kind: 'user', id: t.id });
	return subjects;
}

/** Gives `userId` the season's "quizzes passed" badges they now qualify for. */
export function awardQuizBadges(
	tx: Queryable,
	seasonId: number,
	userId: number,
	now: number
): AwardChanges {
	const badges = tx
		.select()
		.from(badge)
		.where(and(eq(badge.active, true), or(eq(badge.seasonId, seasonId), isNull(badge.seasonId))))
		.all()
		.filter((b) => b.criterion.kind === 'quizzes_passed');
	if (badges.length === 0) return { awarded: [], withdrawn: [] };
	const held = new Set(
		tx
			.select({ badgeId: award.badgeId })
			.from(award)
			.where(
				and(
					eq(award.seasonId, seasonId),
					eq(award.subjectType, 'user'),
					eq(award.subjectId, userId)
				)
			)
			.all()
			.map((a) => a.badgeId)
	);
	const times = passedAt(tx, seasonId, userId);
	const subject = { kind: 'user' as const, id: userId };
	const plan: Plan = {
		seasonId,
		isPending: () => false,
		teamOf: (id) => memberTeam(tx, seasonId, id),
		badgeIds: new Set(badges.map((b) => b.id)),
		candidates: badges
			.filter((b) => !held.has(b.id))
			.flatMap((b) =>
				quizzesPassedAwards(
					b.criterion.kind === 'quizzes_passed' ? b.criterion.count : 0,
					times
				).map((e) => ({ b, subject, ...e }))
			)
	};
	if (plan.candidates.length === 0) return { awarded: [], withdrawn: [] };
	return applyPlan(tx, plan, now);
}
