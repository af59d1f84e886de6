// The quizzes ported onto the store (#20, db/store.ts): a manager's commands (create, edit,
// publish, import) with their audit entries, and what the pages read (the console's list and
// results, the participants' list and page, a person's attempts), with the same assertions on a
// temp SQLite file and a throwaway PostgreSQL, two nodes each (tests/helpers/store-nodes.ts).
// Attempts are written here as rows, as taking a quiz leaves them (taking one is tested in
// quizzes-take-store.test.ts).
import { describe, expect, it } from 'vitest';
import { and, count, eq, like } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import type { QuizDraft } from '../../src/lib/server/quizzes/quiz-form';
import {
	createQuiz,
	getQuiz,
	importQuiz,
	publishQuiz,
	questionsOf,
	updateQuiz
} from '../../src/lib/server/quizzes/commands';
import {
	listQuizzes,
	openQuizzesFor,
	quizForMember,
	quizResults,
	untakenCount
} from '../../src/lib/server/quizzes/queries';
import { attemptsOf } from '../../src/lib/server/quizzes/attempts';
import { AppError } from '../../src/lib/server/shared/errors';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { appErrorCode, auditsOf, liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('quizzes-store');
const NOW = 1_800_000_000_000;
const HOUR = 60 * 60 * 1000;
const BOSS = { userId: null };

let serial = 0;

function draft(title: string, prompts = ['Which case is rugged?', 'Which are accessories?']) {
	return {
		title,
		intro: null,
		pointsPerCorrect: 10,
		passPercent: 50,
		opensAt: NOW - HOUR,
		closesAt: NOW + 24 * HOUR,
		questions: prompts.map((prompt, i) => ({
			kind: i === 1 ? ('multiple' as const) : ('single' as const),
			prompt,
			pictureUrl: null,
			explanation: i === 0 ? 'The Rugged one.' : null,
			options: [
				{ label: 'Slim', correct: i === 1 },
				{ label: 'Rugged', correct: true }
			]
		}))
	} satisfies QuizDraft;
}

/** A live season with two teams and `size` members, split between them. */
const makeSeason = (store: Store, size = 3) =>
	liveSeasonOn(store, { size, teams: ['Alpha', 'Beta'], endsAt: NOW * 2 });

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i % 2];

	async function quizzesTitled(store: Store, seasonId: number, title: string) {
		const { quiz } = store.tables;
		const [row] = await store.db
			.select({ n: count() })
			.from(quiz)
			.where(and(eq(quiz.seasonId, seasonId), like(quiz.title, title)));
		return row.n;
	}
	/** An attempt as taking a quiz writes it (attempts.ts). */
	async function attempt(
		store: Store,
		quizId: number,
		userId: number,
		answers: Record<string, number[]>,
		facts: { correct: number; of: number; earning: boolean; points: number }
	) {
		const { quizAttempt } = store.tables;
		await store.db.insert(quizAttempt).values({
			quizId,
			userId,
			answers,
			correctCount: facts.correct,
			questionCount: facts.of,
			passed: facts.correct * 2 >= facts.of,
			earning: facts.earning,
			points: facts.points,
			requestId: `r-${++serial}`,
			createdAt: NOW
		});
	}

	it('a quiz made on one node is read on the other: console, member page and list', async () => {
		const { seasonId, people } = await makeSeason(node(0));
		const made = await createQuiz(node(0), seasonId, draft('Know the cases'), BOSS, () => NOW);
		const read = await getQuiz(node(1), seasonId, made.id);
		expect(read).toMatchObject({ title: 'Know the cases', publishedAt: null, passPercent: 50 });
		const questions = await questionsOf(node(1), made.id);
		expect(questions.map((q) => [q.prompt, q.kind, q.options.map((o) => o.correct)])).toEqual([
			['Which case is rugged?', 'single', [false, true]],
			['Which are accessories?', 'multiple', [true, true]]
		]);
		// A draft is not shown to members.
		expect(await quizForMember(node(1), made.id, NOW)).toBeNull();
		expect(await openQuizzesFor(node(1), seasonId, people[0].id, NOW)).toEqual([]);

		await publishQuiz(node(1), seasonId, made.id, BOSS, () => NOW);
		const listed = await listQuizzes(node(0), seasonId, NOW);
		expect(listed).toEqual([
			expect.objectContaining({
				id: made.id,
				status: 'open',
				questions: 2,
				taken: 0,
				members: 3
			})
		]);
		const shown = await quizForMember(node(0), made.id, NOW);
		expect(shown).toMatchObject({ status: 'open', seasonLive: true });
		expect(shown!.questions).toHaveLength(2);
		expect(await openQuizzesFor(node(0), seasonId, people[0].id, NOW)).toEqual([
			expect.objectContaining({ id: made.id, questions: 2, maxPoints: 20, done: null })
		]);
		expect(await untakenCount(node(1), seasonId, people[0].id, NOW)).toBe(1);
		expect((await auditsOf(node(0), `quiz:${made.id}`)).map((a) => a.action)).toEqual([
			'quiz.create',
			'quiz.publish'
		]);
	});

	it('publishes a quiz sent to both nodes at once once, with one audit entry', async () => {
		const { seasonId } = await makeSeason(node(0));
		const made = await createQuiz(node(0), seasonId, draft('Twice'), BOSS, () => NOW);
		const [a, b] = await Promise.all([
			publishQuiz(node(0), seasonId, made.id, BOSS, () => NOW + 1),
			publishQuiz(node(1), seasonId, made.id, BOSS, () => NOW + 2)
		]);
		expect(a.publishedAt).toBe(b.publishedAt);
		expect((await auditsOf(node(1), `quiz:${made.id}`)).map((e) => e.action)).toEqual([
			'quiz.create',
			'quiz.publish'
		]);
	});

	it('edits racing on two nodes leave one draft whole, never a mix or doubled questions', async () => {
		const { seasonId } = await makeSeason(node(0));
		const made = await createQuiz(node(0), seasonId, draft('Racing'), BOSS, () => NOW);
		const ours = draft('Racing', ['One A', 'Two A', 'Three A']);
		const theirs = draft('Racing', ['One B', 'Two B']);
		await Promise.all([
			updateQuiz(node(0), seasonId, made.id, ours, BOSS, () => NOW + 1),
			updateQuiz(node(1), seasonId, made.id, theirs, BOSS, () => NOW + 2)
		]);
		const prompts = (await questionsOf(node(0), made.id)).map((q) => q.prompt);
		expect([
			['One A', 'Two A', 'Three A'],
			['One B', 'Two B']
		]).toContainEqual(prompts);
		const positions = (await questionsOf(node(1), made.id)).map((q) => q.position);
		expect(positions).toEqual(prompts.map((_, i) => i));
		expect(
			(await auditsOf(node(0), `quiz:${made.id}`)).filter((e) => e.action === 'quiz.update')
		).toHaveLength(2);
	});

	it('locks the questions once someone took the quiz on another node; settings still save', async () => {
		const { seasonId, people } = await makeSeason(node(0));
		const made = await createQuiz(node(0), seasonId, draft('Locked'), BOSS, () => NOW);
		await publishQuiz(node(0), seasonId, made.id, BOSS, () => NOW);
		const [q1, q2] = await questionsOf(node(1), made.id);
		await attempt(
			node(1),
			made.id,
			people[0].id,
			{ [q1.id]: [q1.options[1].id], [q2.id]: [q2.options[0].id] },
			{ correct: 1, of: 2, earning: true, points: 10 }
		);
		expect(
			await appErrorCode(() =>
				updateQuiz(node(0), seasonId, made.id, draft('Locked', ['Other']), BOSS, () => NOW + 1)
			)
		).toBe('quiz_taken');
		expect((await questionsOf(node(0), made.id)).map((q) => q.id)).toEqual([q1.id, q2.id]);
		const renamed = await updateQuiz(
			node(0),
			seasonId,
			made.id,
			{ ...draft('Locked'), title: 'Locked, renamed' },
			BOSS,
			() => NOW + 2
		);
		expect(renamed.title).toBe('Locked, renamed');
		expect((await questionsOf(node(1), made.id)).map((q) => q.id)).toEqual([q1.id, q2.id]);
	});

	it('refuses bad input and changes nothing', async () => {
		const { seasonId } = await makeSeason(node(0));
		const other = await makeSeason(node(0));
		const made = await createQuiz(node(0), seasonId, draft('Mine'), BOSS, () => NOW);
		// Another season's quiz, a quiz that is not there.
		expect(await appErrorCode(() => getQuiz(node(1), other.seasonId, made.id))).toBe(
			'quiz_not_found'
		);
		expect(await appErrorCode(() => publishQuiz(node(1), other.seasonId, made.id, BOSS))).toBe(
			'quiz_not_found'
		);
		expect(
			await appErrorCode(() => updateQuiz(node(1), seasonId, made.id + 10_000, draft('X'), BOSS))
		).toBe('quiz_not_found');
		// A quiz with no questions cannot be published.
		const empty = await createQuiz(node(1), seasonId, { ...draft('Empty'), questions: [] }, BOSS);
		expect(await appErrorCode(() => publishQuiz(node(0), seasonId, empty.id, BOSS))).toBe(
			'quiz_empty'
		);
		expect((await getQuiz(node(0), seasonId, empty.id)).publishedAt).toBeNull();
		// A CSV with a bad row creates nothing.
		const csv = [
			'question,kind,option1,option2,option3,correct,explanation',
			'Fine?,single,Yes,No,,1,',
			'Broken?,single,Yes,No,,7,'
		].join('\n');
		const refused = await importQuiz(node(1), seasonId, { ...draft('Imported'), csv }, BOSS).catch(
			(error: unknown) => error
		);
		expect(refused).toBeInstanceOf(AppError);
		expect((refused as AppError).code).toBe('quiz_csv_invalid');
		expect((refused as AppError).details.errors).toEqual([expect.objectContaining({ row: 3 })]);
		expect(await quizzesTitled(node(0), seasonId, 'Imported')).toBe(0);
		expect((await auditsOf(node(0), `quiz:${made.id}`)).map((e) => e.action)).toEqual([
			'quiz.create'
		]);
		// The same file without the bad row makes a draft, read on the other node.
		const imported = await importQuiz(
			node(1),
			seasonId,
			{ ...draft('Imported'), csv: csv.split('\n').slice(0, 2).join('\n') },
			BOSS
		);
		expect((await questionsOf(node(0), imported.id)).map((q) => q.prompt)).toEqual(['Fine?']);
	});

	it('reads the results and a person’s attempts the same from either node', async () => {
		const { seasonId, people } = await makeSeason(node(0), 4);
		const made = await createQuiz(node(0), seasonId, draft('Results'), BOSS, () => NOW);
		await publishQuiz(node(0), seasonId, made.id, BOSS, () => NOW);
		const [q1, q2] = await questionsOf(node(0), made.id);
		const right = { [q1.id]: [q1.options[1].id], [q2.id]: [q2.options[0].id, q2.options[1].id] };
		const half = { [q1.id]: [q1.options[1].id], [q2.id]: [q2.options[0].id] };
		await attempt(node(0), made.id, people[0].id, right, {
			correct: 2,
			of: 2,
			earning: true,
			points: 20
		});
		await attempt(node(1), made.id, people[0].id, half, {
			correct: 1,
			of: 2,
			earning: false,
			points: 0
		});
		await attempt(node(1), made.id, people[1].id, half, {
			correct: 1,
			of: 2,
			earning: true,
			points: 10
		});
		for (const store of nodes[dialect]) {
			const results = await quizResults(store, seasonId, made.id);
			expect(results).toMatchObject({ taken: 2, passed: 2, members: 4, averageCorrect: 0.75 });
			expect(results.hardest[0]).toMatchObject({ number: 2, wrong: 1, shareWrong: 0.5 });
			expect(results.notTaken.map((p) => p.name).sort()).toEqual(
				[people[2].name, people[3].name].sort()
			);
			// people 0 and 2 are in Alpha, 1 and 3 in Beta: one taker each.
			expect(results.teams.map((t) => [t.name, t.members, t.taken]).sort()).toEqual([
				['Alpha', 2, 1],
				['Beta', 2, 1]
			]);
			const mine = await attemptsOf(store, made.id, people[0].id);
			expect(mine.map((a) => [a.earning, a.points])).toEqual([
				[false, 0],
				[true, 20]
			]);
			expect(mine[1].answers).toEqual(right);
			expect((await listQuizzes(store, seasonId, NOW))[0].taken).toBe(2);
			expect(await openQuizzesFor(store, seasonId, people[0].id, NOW)).toEqual([
				expect.objectContaining({ done: { correct: 2, of: 2, points: 20, passed: true } })
			]);
			expect(await untakenCount(store, seasonId, people[2].id, NOW)).toBe(1);
		}
	});
});
