import { and, asc, count, desc, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Store } from '../db/store';
import { isAnswerRight, maxPoints, quizStatus, type QuizStatus } from '../../contest/quiz';
import { questionsOf } from './commands';

// What the quiz pages read: the console's list and results, the participants' list and page, and
// the weekly digest's open quizzes. On the store (db/store.ts).

async function questionCounts(store: Store, quizIds: number[]): Promise<Map<number, number>> {
	if (quizIds.length === 0) return new Map();
	const { quizQuestion } = store.tables;
	const rows = await store.db
		.select({ quizId: quizQuestion.quizId, n: count() })
		.from(quizQuestion)
		.where(inArray(quizQuestion.quizId, quizIds))
		.groupBy(quizQuestion.quizId);
	return new Map(rows.map((r) => [r.quizId, r.n]));
}

async function seasonRow(store: Store, seasonId: number) {
	const { season } = store.tables;
	const [row] = await store.db.select().from(season).where(eq(season.id, seasonId));
	return row;
}

/** The season's quizzes for the console: status, questions and completion (takers / members). */
export async function listQuizzes(store: Store, seasonId: number, now: number) {
	const { quiz, quizAttempt, seasonMember } = store.tables;
	const s = await seasonRow(store, seasonId);
	const rows = await store.db
		.select()
		.from(quiz)
		.where(eq(quiz.seasonId, seasonId))
		.orderBy(desc(quiz.opensAt), desc(quiz.id));
	const [{ memberCount }] = await store.db
		.select({ memberCount: count() })
		.from(seasonMember)
		.where(eq(seasonMember.seasonId, seasonId));
	const takers = await store.db
		.select({ quizId: quizAttempt.quizId, n: count() })
		.from(quizAttempt)
		.innerJoin(quiz, eq(quiz.id, quizAttempt.quizId))
		.where(and(eq(quiz.seasonId, seasonId), eq(quizAttempt.earning, true)))
		.groupBy(quizAttempt.quizId);
	const taken = new Map(takers.map((t) => [t.quizId, t.n]));
	const questions = await questionCounts(
		store,
		rows.map((r) => r.id)
	);
	return rows.map((r) => ({
		id: r.id,
		title: r.title,
		status: quizStatus(r, now, s?.endsAt) as QuizStatus,
		opensAt: r.opensAt,
		closesAt: r.closesAt,
		pointsPerCorrect: r.pointsPerCorrect,
		questions: questions.get(r.id) ?? 0,
		taken: taken.get(r.id) ?? 0,
		members: memberCount
	}));
}

/** The open quizzes of a season for a member, with what they did: "done 4/5, +40 pts" or new. */
export async function openQuizzesFor(store: Store, seasonId: number, userId: number, now: number) {
	const { quiz, quizAttempt } = store.tables;
	const s = await seasonRow(store, seasonId);
	if (!s) return [];
	const rows = (
		await store.db
			.select()
			.from(quiz)
			.where(and(eq(quiz.seasonId, seasonId), isNotNull(quiz.publishedAt)))
			.orderBy(desc(quiz.opensAt), desc(quiz.id))
	).filter((r) => quizStatus(r, now, s.endsAt) === 'open');
	if (rows.length === 0) return [];
	const mine = await store.db
		.select()
		.from(quizAttempt)
		.where(
			and(
				eq(quizAttempt.userId, userId),
				eq(quizAttempt.earning, true),
				inArray(
					quizAttempt.quizId,
					rows.map((r) => r.id)
				)
			)
		);
	const questions = await questionCounts(
		store,
		rows.map((r) => r.id)
	);
	return rows.map((r) => {
		const done = mine.find((a) => a.quizId === r.id);
		const n = questions.get(r.id) ?? 0;
		return {
			id: r.id,
			title: r.title,
			intro: r.intro,
			questions: n,
			maxPoints: maxPoints(n, r.pointsPerCorrect),
			closesAt: r.closesAt ?? s.endsAt,
			done: done
				? {
						correct: done.correctCount,
						of: done.questionCount,
						points: done.points,
						passed: done.passed
					}
				: null
		};
	});
}

/** How many open quizzes a member has not taken yet (the nav's and the digest's count). */
export async function untakenCount(store: Store, seasonId: number, userId: number, now: number) {
	return (await openQuizzesFor(store, seasonId, userId, now)).filter((q) => !q.done).length;
}

/** A quiz as a member sees it: the questions without the answers, unless `reveal`. */
export async function quizForMember(store: Store, quizId: number, now: number) {
	const { quiz } = store.tables;
	const [row] = await store.db.select().from(quiz).where(eq(quiz.id, quizId));
	if (!row || row.publishedAt == null) return null;
	const s = (await seasonRow(store, row.seasonId))!;
	return {
		quiz: row,
		status: quizStatus(row, now, s.endsAt),
		seasonLive: s.status === 'live',
		questions: await questionsOf(store, quizId)
	};
}

/**
 * The console's results of a quiz: completion per team (takers / members), the questions most
 * often answered wrong on earning attempts, and the members who have not taken it yet.
 */
export async function quizResults(store: Store, seasonId: number, quizId: number) {
	const { quizAttempt, seasonMember, team, user } = store.tables;
	const attempts = await store.db
		.select()
		.from(quizAttempt)
		.where(and(eq(quizAttempt.quizId, quizId), eq(quizAttempt.earning, true)));
	const roster = await store.db
		.select({
			userId: seasonMember.userId,
			name: user.displayName,
			teamId: team.id,
			teamName: team.name
		})
		.from(seasonMember)
		.innerJoin(user, eq(user.id, seasonMember.userId))
		.innerJoin(team, eq(team.id, seasonMember.teamId))
		.where(eq(seasonMember.seasonId, seasonId))
		.orderBy(asc(team.name), asc(user.displayName));
	const takers = new Set(attempts.map((a) => a.userId));
	const teams = new Map<number, { name: string; members: number; taken: number }>();
	for (const r of roster) {
		const t = teams.get(r.teamId) ?? { name: r.teamName, members: 0, taken: 0 };
		t.members += 1;
		if (takers.has(r.userId)) t.taken += 1;
		teams.set(r.teamId, t);
	}
	const questions = (await questionsOf(store, quizId)).map((q, i) => {
		const wrong = attempts.filter((a) => !isAnswerRight(q, a.answers[String(q.id)] ?? [])).length;
		return {
			number: i + 1,
			prompt: q.prompt,
			wrong,
			shareWrong: attempts.length === 0 ? 0 : wrong / attempts.length
		};
	});
	return {
		taken: attempts.length,
		passed: attempts.filter((a) => a.passed).length,
		members: roster.length,
		averageCorrect:
			attempts.length === 0
				? 0
				: attempts.reduce((sum, a) => sum + a.correctCount / a.questionCount, 0) / attempts.length,
		teams: [...teams.values()].sort((a, b) => b.taken / b.members - a.taken / a.members),
		hardest: [...questions].sort((a, b) => b.shareWrong - a.shareWrong || a.number - b.number),
		notTaken: roster
			.filter((r) => !takers.has(r.userId))
			.map((r) => ({ name: r.name, teamName: r.teamName }))
	};
}

/**
 * The open published quizzes of a season with who has taken each (earning attempts): one read
 * for the weekly digest, which then lists per person the ones they have not taken.
 */
export async function openQuizzesWithTakers(store: Store, seasonId: number, now: number) {
	const { quiz, quizAttempt, season } = store.tables;
	const [s] = await store.db.select().from(season).where(eq(season.id, seasonId));
	if (!s) return [];
	const open = (
		await store.db
			.select()
			.from(quiz)
			.where(and(eq(quiz.seasonId, seasonId), isNotNull(quiz.publishedAt)))
			.orderBy(asc(quiz.opensAt), asc(quiz.id))
	).filter((r) => quizStatus(r, now, s.endsAt) === 'open');
	if (open.length === 0) return [];
	const ids = open.map((r) => r.id);
	const counts = await questionCounts(store, ids);
	const taken = await store.db
		.select({ quizId: quizAttempt.quizId, userId: quizAttempt.userId })
		.from(quizAttempt)
		.where(and(eq(quizAttempt.earning, true), inArray(quizAttempt.quizId, ids)));
	return open.map((r) => ({
		title: r.title,
		points: maxPoints(counts.get(r.id) ?? 0, r.pointsPerCorrect),
		takers: new Set(taken.filter((t) => t.quizId === r.id).map((t) => t.userId))
	}));
}
