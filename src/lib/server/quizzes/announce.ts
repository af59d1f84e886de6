import { and, count, desc, eq, gt, isNotNull, isNull, lte, or } from 'drizzle-orm';
import { write, type Store, type StoreDb } from '../db/store';
import { maxPoints } from '../../contest/quiz';
import type { ActivityItem } from '../../realtime/events';
import { queuePushesInWrite } from '../notify/push/queue';
import { publishActivity } from '../realtime/publish';
import { systemClock, type Clock } from '../shared/clock';
import { m } from '../../paraglide/messages.js';
import { quizActivity } from './attempts';

// A new quiz is announced once, when it is published and open: a feed item on the season's
// boards and a push (kind 'quiz_open') to the members who want it. `quiz.announced_at` is set in
// the same write as the pushes are queued (on the store, db/store.ts), so a second check, another
// node or a restart announces nothing more; the pushes' dedupe keys say the same per device.

function openItem(
	row: { id: number; seasonId: number; title: string; announcedAt: number | null },
	points: number
): ActivityItem {
	return {
		id: `quiz_open:${row.id}`,
		seasonId: row.seasonId,
		kind: 'quiz_open',
		userId: 0,
		userName: '',
		teamName: '',
		summary: row.title,
		quiz: { id: row.id, title: row.title },
		points,
		provisional: false,
		at: row.announcedAt ?? 0
	};
}

/**
 * Announces the published quizzes of live seasons that have opened, in one write: each is
 * claimed by setting its `announced_at` where it is still unset, so of nodes running this at
 * once one announces it. Returns how many this call announced.
 */
export async function announceOpenedQuizzes(
	store: Store,
	clock: Clock = systemClock
): Promise<number> {
	const now = clock();
	const { quiz, quizQuestion, season, seasonMember } = store.tables;
	const items = await write(store, async (tx) => {
		const due = await tx
			.select({ id: quiz.id })
			.from(quiz)
			.innerJoin(season, eq(season.id, quiz.seasonId))
			.where(
				and(
					isNotNull(quiz.publishedAt),
					isNull(quiz.announcedAt),
					lte(quiz.opensAt, now),
					or(isNull(quiz.closesAt), gt(quiz.closesAt, now)),
					eq(season.status, 'live')
				)
			)
			.orderBy(quiz.id);
		const out: ActivityItem[] = [];
		for (const { id } of due) {
			const [row] = await tx
				.update(quiz)
				.set({ announcedAt: now })
				.where(and(eq(quiz.id, id), isNull(quiz.announcedAt)))
				.returning();
			if (!row) continue;
			const [{ n }] = await tx
				.select({ n: count() })
				.from(quizQuestion)
				.where(eq(quizQuestion.quizId, row.id));
			const points = maxPoints(n, row.pointsPerCorrect);
			const members = await tx
				.select({ userId: seasonMember.userId })
				.from(seasonMember)
				.where(eq(seasonMember.seasonId, row.seasonId))
				.orderBy(seasonMember.userId);
			await queuePushesInWrite(
				tx,
				store,
				members.map((r) => r.userId),
				'quiz_open',
				(locale) => ({
					title: m.quiz_push_title({ title: row.title }, { locale }),
					body: m.quiz_push_body({ points }, { locale }),
					url: `/quizzes/${row.id}`
				}),
				(userId) => `push:quiz_open:${row.id}:${userId}`,
				now
			);
			out.push(openItem(row, points));
		}
		return out;
	});
	for (const item of items) publishActivity(item);
	return items.length;
}

/**
 * The season's quiz feed items, newest first: quizzes announced and quiz points earned, inside
 * the caller's `read` (boards/activity.ts).
 */
export async function readQuizFeed(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	limit: number
): Promise<{ sortAt: number; item: ActivityItem }[]> {
	const { quiz, quizAttempt, quizQuestion, seasonMember, team, user } = store.tables;
	const rows = await tx
		.select()
		.from(quiz)
		.where(and(eq(quiz.seasonId, seasonId), isNotNull(quiz.announcedAt)))
		.orderBy(desc(quiz.announcedAt))
		.limit(limit);
	const announced = [];
	for (const row of rows) {
		const [{ n }] = await tx
			.select({ n: count() })
			.from(quizQuestion)
			.where(eq(quizQuestion.quizId, row.id));
		announced.push({
			sortAt: row.announcedAt!,
			item: openItem(row, maxPoints(n, row.pointsPerCorrect))
		});
	}
	const earned = await tx
		.select({
			id: quizAttempt.id,
			userId: quizAttempt.userId,
			userName: user.displayName,
			teamName: team.name,
			quizId: quiz.id,
			title: quiz.title,
			points: quizAttempt.points,
			at: quizAttempt.createdAt
		})
		.from(quizAttempt)
		.innerJoin(quiz, eq(quiz.id, quizAttempt.quizId))
		.innerJoin(user, eq(user.id, quizAttempt.userId))
		.innerJoin(
			seasonMember,
			and(eq(seasonMember.seasonId, quiz.seasonId), eq(seasonMember.userId, quizAttempt.userId))
		)
		.innerJoin(team, eq(team.id, seasonMember.teamId))
		.where(
			and(eq(quiz.seasonId, seasonId), eq(quizAttempt.earning, true), gt(quizAttempt.points, 0))
		)
		.orderBy(desc(quizAttempt.createdAt), desc(quizAttempt.id))
		.limit(limit);
	return [
		...announced,
		...earned.map((r) => ({
			sortAt: r.at,
			item: quizActivity({
				attemptId: r.id,
				seasonId,
				userId: r.userId,
				userName: r.userName,
				teamName: r.teamName,
				quiz: { id: r.quizId, title: r.title },
				points: r.points,
				at: r.at
			})
		}))
	];
}
