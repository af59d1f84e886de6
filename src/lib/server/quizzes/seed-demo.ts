import { and, eq } from 'drizzle-orm';
import type { Store } from '../db/store';
import type { Locale } from '../../i18n/locales';
import type { QuestionDraft } from '../../contest/quiz';
import { m } from '../../paraglide/messages.js';
import { SYSTEM } from '../audit/record';
import { createQuiz, publishQuiz, questionsOf } from './commands';
import { takeQuiz } from './attempts';

// The demo's training quiz: about the demo season's products and its audio-week campaign, open
// for a week, taken by some reps (rep1 has not taken it, so a newcomer signing in as rep1 can),
// and a "quizzes passed" badge. Idempotent: a second run finds the quiz and the attempts by
// their request ids. Made and taken through the store, on the demo's SQLite connection.

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

function questions(locale: Locale): QuestionDraft[] {
	const o = { locale };
	const single = (prompt: string, explanation: string, labels: string[], right: number[]) => ({
		kind: right.length > 1 ? ('multiple' as const) : ('single' as const),
		prompt,
		pictureUrl: null,
		explanation,
		options: labels.map((label, i) => ({ label, correct: right.includes(i) }))
	});
	const caseName = m.demo_product_rugged_case({}, o);
	const charger = m.demo_product_fast_charger({}, o);
	const care = m.demo_product_care({}, o);
	return [
		single(
			m.demo_quiz_q1({ product: 'Phone Pro 15' }, o),
			m.demo_quiz_q1_why({ product: 'Phone Pro 15', other: 'Phone Lite' }, o),
			['25', '50', '100'],
			[1]
		),
		single(
			m.demo_quiz_q2({}, o),
			m.demo_quiz_q2_why({}, o),
			['Phone Lite', 'Tablet 11"', 'Phone Pro 15', 'Headset Pro'],
			[2]
		),
		single(
			m.demo_quiz_q3({}, o),
			m.demo_quiz_q3_why({ a: caseName, b: charger, c: care }, o),
			[caseName, 'Headset Pro', charger, care],
			[0, 2]
		),
		single(
			m.demo_quiz_q4({ product: 'Headset Pro' }, o),
			m.demo_quiz_q4_why({ product: 'Headset Pro' }, o),
			['20', '40', '60'],
			[1]
		)
	];
}

/** Right answers per question (by position) for each demo taker: some perfect, some not. */
const TAKERS: number[][][] = [
	[[1], [2], [0, 2], [1]],
	[[1], [2], [0, 2], [0]],
	[[0], [2], [0], [1]],
	[[1], [1], [0, 2], [1]],
	[[1], [2], [0, 2], [1]],
	[[2], [2], [2], [0]]
];

export async function seedDemoQuizzes(
	store: Store,
	input: { seasonId: number; locale: Locale; repIds: number[]; now: number }
): Promise<void> {
	const { seasonId, locale, repIds, now } = input;
	const { badge, quiz } = store.tables;
	const title = m.demo_quiz_title({}, { locale });
	const [existing] = await store.db
		.select()
		.from(quiz)
		.where(and(eq(quiz.seasonId, seasonId), eq(quiz.title, title)));
	const opensAt = now - 2 * DAY;
	const row =
		existing ??
		(await createQuiz(
			store,
			seasonId,
			{
				title,
				intro: m.demo_quiz_intro({}, { locale }),
				pointsPerCorrect: 10,
				passPercent: 75,
				opensAt,
				closesAt: now + 7 * DAY,
				questions: questions(locale)
			},
			SYSTEM,
			() => opensAt - HOUR
		));
	if (!existing) {
		await publishQuiz(store, seasonId, row.id, SYSTEM, () => opensAt - HOUR);
		await store.db.insert(badge).values({
			seasonId,
			name: m.demo_badge_quiz_whiz({}, { locale }),
			emoji: '🎓',
			description: m.demo_badge_quiz_whiz_description({}, { locale }),
			criterion: { kind: 'quizzes_passed', count: 1 },
			points: 0
		});
	}
	const stored = await questionsOf(store, row.id);
	// rep2 … rep7 took it over the last two days; rep1 is left for whoever tries the demo.
	for (const [i, picks] of TAKERS.entries()) {
		const userId = repIds[i + 1];
		if (userId === undefined) continue;
		const answers = Object.fromEntries(
			stored.map((q, qi) => [String(q.id), picks[qi].map((p) => q.options[p].id)])
		);
		await takeQuiz(
			store,
			{ quizId: row.id, userId, answers, requestId: `demo-quiz-${row.id}-${userId}` },
			() => now - (i + 1) * 5 * HOUR
		);
	}
}
