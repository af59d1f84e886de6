import { and, asc, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Queryable } from '../db';
import { quiz, quizAttempt, season, seasonMember, team, user } from '../db/schema';
import { isAnswerRight, maxPoints, quizStatus, type QuizStatus } from '../../contest/quiz';
import { questionsOf } from './commands';

// What the quiz pages read: the console's list and results, the participants' list and page.

const members = (db: Queryable, seasonId: number) =>
	db
		.select({ userId: seasonMember.userId, teamId: seasonMember.teamId })
		.from(seasonMember)
		.where(eq(seasonMember.seasonId, seasonId))
		.all();

function questionCounts(db: Queryable, quizIds: number[]): Map<number, number> {
	if (quizIds.length === 0) return new Map();
	const rows = db.all<{ quizId: number; n: number }>(
		sql`select quiz_id as quizId, count(*) as n from quiz_question
			where quiz_id in ${quizIds} group by quiz_id`
	);
	return new Map(rows.map((r) => [r.quizId, r.n]));
}

/** The season's quizzes for the console: status, questions and completion (takers / members). */
export function listQuizzes(db: Queryable, seasonId: number, now: number) {
	const s = db.select().from(season).where(eq(season.id, seasonId)).get();
	const rows = db
		.select()
		.from(quiz)
		.where(eq(quiz.seasonId, seasonId))
		.orderBy(desc(quiz.opensAt), desc(quiz.id))
		.all();
	const memberCount = members(db, seasonId).length;
	const takers = db.all<{ quizId: number; n: number }>(
		sql`select quiz_id as quizId, count(*) as n from quiz_attempt
			where earning = 1 and quiz_id in (select id from quiz where season_id = ${seasonId})
			group by quiz_id`
	);
	const taken = new Map(takers.map((t) => [t.quizId, t.n]));
	const questions = questionCounts(
		db,
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
export function openQuizzesFor(db: Queryable, seasonId: number, userId: number, now: number) {
	const s = db.select().from(season).where(eq(season.id, seasonId)).get();
	if (!s) return [];
	const rows = db
		.select()
		.from(quiz)
		.where(and(eq(quiz.seasonId, seasonId), isNotNull(quiz.publishedAt)))
		.orderBy(desc(quiz.opensAt), desc(quiz.id))
		.all()
		.filter((r) => quizStatus(r, now, s.endsAt) === 'open');
	if (rows.length === 0) return [];
	const mine = db
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
		)
		.all();
	const questions = questionCounts(
		db,
		rows.map((r) => r.id)
	);
	return rows.map((r) => {
		const done = mine.find((a) => a.quizId === r.id);
		const count = questions.get(r.id) ?? 0;
		return {
			id: r.id,
			title: r.title,
			intro: r.intro,
			questions: count,
			maxPoints: maxPoints(count, r.pointsPerCorrect),
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
export function untakenCount(db: Queryable, seasonId: number, userId: number, now: number) {
	return openQuizzesFor(db, seasonId, userId, now).filter((q) => !q.done).length;
}

/** A quiz as a member sees it: the questions without the answers, unless `reveal`. */
export function quizForMember(db: Queryable, quizId: number, now: number) {
	const row = db.select().from(quiz).where(eq(quiz.id, quizId)).get();
	if (!row || row.publishedAt == null) return null;
	const s = db.select().from(season).where(eq(season.id, row.seasonId)).get()!;
	return {
		quiz: row,
		status: quizStatus(row, now, s.endsAt),
		seasonLive: s.status === 'live',
		questions: questionsOf(db, quizId)
	};
}

/**
 * The console's results of a quiz: completion per team (takers / members), the questions most
 * often answered wrong on earning attempts, and the members who have not taken it yet.
 */
export function quizResults(db: Queryable, seasonId: number, quizId: number) {
	const attempts = db
		.select()
		.from(quizAttempt)
		.where(and(eq(quizAttempt.quizId, quizId), eq(quizAttempt.earning, true)))
		.all();
	const roster = db
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
		.orderBy(asc(team.name), asc(user.displayName))
		.all();
	const takers = new Set(attempts.map((a) => a.userId));
	const teams = new Map<number, { name: string; members: number; taken: number }>();
	for (const r of roster) {
		const t = teams.get(r.teamId) ?? { name: r.teamName, members: 0, taken: 0 };
		t.members += 1;
		if (takers.has(r.userId)) t.taken += 1;
		teams.set(r.teamId, t);
	}
	const questions = questionsOf(db, quizId).map((q, i) => {
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
export function openQuizzesWithTakers(db: Queryable, seasonId: number, now: number) {
	const s = db.select().from(season).where(eq(season.id, seasonId)).get();
	if (!s) return [];
	const open = db
		.select()
		.from(quiz)
		.where(and(eq(quiz.seasonId, seasonId), isNotNull(quiz.publishedAt)))
		.orderBy(asc(quiz.opensAt), asc(quiz.id))
		.all()
		.filter((r) => quizStatus(r, now, s.endsAt) === 'open');
	if (open.length === 0) return [];
	const counts = questionCounts(
		db,
		open.map((r) => r.id)
	);
	const taken = db
		.select({ quizId: quizAttempt.quizId, userId: quizAttempt.userId })
		.from(quizAttempt)
		.where(
			and(
				eq(quizAttempt.earning, true),
				inArray(
					quizAttempt.quizId,
					open.map((r) => r.id)
				)
			)
		)
		.all();
	return open.map((r) => ({
		title: r.title,
		points: maxPoints(counts.get(r.id) ?? 0, r.pointsPerCorrect),
		takers: new Set(taken.filter((t) => t.quizId === r.id).map((t) => t.userId))
	}));
}
