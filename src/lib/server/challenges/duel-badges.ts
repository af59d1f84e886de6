import { and, eq, isNull, or } from 'drizzle-orm';
import type { Queryable } from '../db';
import { award, badge, challenge } from '../db/schema';
import { quizzesPassedAwards } from '../../contest/badges';
import { applyPlan, type AwardChanges, type Plan } from '../badges/awards';
import { memberTeam } from '../quizzes/quiz-badges';

// The badge criterion "duels won": decided when a person's duel becomes final with them as the
// winner (advance.ts, in the finalising transaction), and by the badges' re-evaluation for a
// new or changed badge (badges/reevaluate.ts asks wonAt and withDuelWinners).

/** When `userId` won the season's duels (frozen results only: a win can no longer change). */
export function wonAt(tx: Queryable, seasonId: number, userId: number): number[] {
	return tx
		.select({ at: challenge.finalizedAt })
		.from(challenge)
		.where(
			and(
				eq(challenge.seasonId, seasonId),
				eq(challenge.subjectType, 'user'),
				eq(challenge.status, 'final'),
				eq(challenge.winnerId, userId)
			)
		)
		.all()
		.map((r) => r.at ?? 0);
}

/** The badge re-evaluation's subjects plus everyone who won a duel of the season. */
export function withDuelWinners<T extends { kind: string; id: number }>(
	subjects: (T | { kind: 'user'; id: number })[],
	tx: Queryable,
	seasonId: number
) {
	const seen = new Set(subjects.filter((s) => s.kind === 'user').map((s) => s.id));
	const winners = tx
		.selectDistinct({ id: challenge.winnerId })
		.from(challenge)
		.where(
			and(
				eq(challenge.seasonId, seasonId),
				eq(challenge.subjectType, 'user'),
				eq(challenge.status, 'final')
			)
		)
		.all();
	for (const w of winners)
		if (w.id !== null && !seen.has(w.id)) subjects.push({ kind: 'user', id: w.id });
	return subjects;
}

/** Gives `userId` the season's "duels won" badges they now qualify for. */
export function awardDuelBadges(
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
		.filter((b) => b.criterion.kind === 'duels_won');
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
	const times = wonAt(tx, seasonId, userId);
	const subject = { kind: 'user' as const, id: userId };
	const plan: Plan = {
		seasonId,
		isPending: () => false,
		teamOf: (id) => memberTeam(tx, seasonId, id),
		badgeIds: new Set(badges.map((b) => b.id)),
		candidates: badges
			.filter((b) => !held.has(b.id))
			.flatMap((b) =>
				// The same rule as quizzes: once, at the count-th win.
				quizzesPassedAwards(b.criterion.kind === 'duels_won' ? b.criterion.count : 0, times).map(
					(e) => ({ b, subject, ...e })
				)
			)
	};
	if (plan.candidates.length === 0) return { awarded: [], withdrawn: [] };
	return applyPlan(tx, plan, now);
}
