import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest, makeUser, standingsVsLedger } from '../helpers/factories';
import { PASSWORD, signIn, type SeededDb } from '../helpers/seeded';
import { DIALECTS, seedServerDbOn, serverEnvFor, type ServerDb } from '../helpers/server-db';
import { startServer, type RunningServer } from '../helpers/server';
import { openDatabase } from '../../src/lib/server/db';
import {
	award,
	badge,
	ledgerEntry,
	outgoingMessage,
	pushSubscription,
	quiz,
	season
} from '../../src/lib/server/db/schema';
import { sqliteStore } from '../../src/lib/server/db/store';
import { createQuiz, publishQuiz, questionsOf } from '../../src/lib/server/quizzes/commands';
import { takeQuiz } from '../../src/lib/server/quizzes/attempts';
import { announceOpenedQuizzes } from '../../src/lib/server/quizzes/announce';
import { quizResults } from '../../src/lib/server/quizzes/queries';
import { localInput } from '../../src/lib/server/quizzes/quiz-form';
import { AppError } from '../../src/lib/server/shared/errors';

// Training quizzes end to end: points once per person per quiz through the ledger, retries for
// learning, announcements once, the console's forms and their refusals over HTTP.

const HOUR = 60 * 60 * 1000;
const CSV_HEADER = 'question,kind,option1,option2,option3,correct,explanation';

const draft = (now: number) => ({
	title: 'Know the cases',
	intro: null,
	pointsPerCorrect: 10,
	passPercent: 50,
	opensAt: now - HOUR,
	closesAt: now + 24 * HOUR,
	questions: [
		{
			kind: 'single' as const,
			prompt: 'Which case is rugged?',
			pictureUrl: null,
			explanation: 'The Rugged one.',
			options: [
				{ label: 'Slim', correct: false },
				{ label: 'Rugged', correct: true }
			]
		},
		{
			kind: 'multiple' as const,
			prompt: 'Which are accessories?',
			pictureUrl: null,
			explanation: null,
			options: [
				{ label: 'Case', correct: true },
				{ label: 'Phone', correct: false },
				{ label: 'Charger', correct: true }
			]
		}
	]
});

describe('quiz services', () => {
	it('the first attempt earns once on the ledger, a retry earns nothing, a badge follows a pass', async () => {
		const { db, cleanup } = tempDb();
		try {
			const now = Date.now();
			const { season: s, people } = await makeContest(db, { teams: 2, people: 3 });
			const [rep, other, idle] = people;
			db.insert(badge)
				.values({ seasonId: s.id, name: 'Whiz', criterion: { kind: 'quizzes_passed', count: 1 } })
				.run();
			const store = sqliteStore(db);
			const row = await createQuiz(store, s.id, draft(now), { userId: null });
			// A draft cannot be taken.
			await expect(
				takeQuiz(store, { quizId: row.id, userId: rep.id, answers: {}, requestId: 'draft-try-1' })
			).rejects.toThrow(AppError);
			await publishQuiz(store, s.id, row.id, {});
			const [q1, q2] = await questionsOf(store, row.id);
			const right = {
				[q1.id]: [q1.options[1].id],
				[q2.id]: [q2.options[0].id, q2.options[2].id]
			};
			const half = { [q1.id]: [q1.options[1].id], [q2.id]: [q2.options[0].id] };

			// Unanswered questions are refused and change nothing.
			await expect(
				takeQuiz(store, { quizId: row.id, userId: rep.id, answers: {}, requestId: 'empty-try-1' })
			).rejects.toThrow(/question 1/);

			const first = await takeQuiz(store, {
				quizId: row.id,
				userId: rep.id,
				answers: right,
				requestId: 'rep-first-1'
			});
			expect(first.attempt).toMatchObject({
				earning: true,
				points: 20,
				correctCount: 2,
				passed: true
			});
			// The same request again is the same attempt.
			const resent = await takeQuiz(store, {
				quizId: row.id,
				userId: rep.id,
				answers: half,
				requestId: 'rep-first-1'
			});
			expect(resent).toMatchObject({ fresh: false, attempt: { id: first.attempt.id, points: 20 } });
			const retry = await takeQuiz(store, {
				quizId: row.id,
				userId: rep.id,
				answers: right,
				requestId: 'rep-retry-1'
			});
			expect(retry.attempt).toMatchObject({ earning: false, points: 0 });

			await takeQuiz(store, {
				quizId: row.id,
				userId: other.id,
				answers: half,
				requestId: 'other-first-1'
			});

			const entries = db.select().from(ledgerEntry).where(eq(ledgerEntry.kind, 'quiz')).all();
			expect(entries.map((e) => [e.userId, e.points, e.status])).toEqual([
				[rep.id, 20, 'confirmed'],
				[other.id, 10, 'confirmed']
			]);
			const { stored, fromLedger } = standingsVsLedger(db, s.id);
			expect(stored).toEqual(fromLedger);
			const awards = db.select().from(award).where(eq(award.subjectType, 'user')).all();
			// Both passed (50 %): one badge each, however many attempts.
			expect(awards.map((a) => a.subjectId).sort()).toEqual([rep.id, other.id].sort());

			const results = await quizResults(store, s.id, row.id);
			expect(results.taken).toBe(2);
			expect(results.hardest[0]).toMatchObject({ number: 2, wrong: 1, shareWrong: 0.5 });
			expect(results.notTaken.map((p) => p.name)).toContain(idle.displayName);
			expect(results.teams.reduce((sum, t) => sum + t.taken, 0)).toBe(2);
		} finally {
			cleanup();
		}
	});

	it('announces an opened quiz once: a feed item and one push per device', async () => {
		const { db, cleanup } = tempDb();
		try {
			const now = Date.now();
			const { season: s, people } = await makeContest(db, { teams: 1, people: 2 });
			db.insert(pushSubscription)
				.values({
					userId: people[0].id,
					endpoint: 'https://push.example/1',
					p256dh: 'k',
					auth: 'a'
				})
				.run();
			const store = sqliteStore(db);
			const later = await createQuiz(store, s.id, { ...draft(now), opensAt: now + HOUR }, {});
			await publishQuiz(store, s.id, later.id, {});
			expect(await announceOpenedQuizzes(store, () => now)).toBe(0);
			expect(await announceOpenedQuizzes(store, () => now + 2 * HOUR)).toBe(1);
			expect(await announceOpenedQuizzes(store, () => now + 3 * HOUR)).toBe(0);
			const pushes = db
				.select()
				.from(outgoingMessage)
				.where(and(eq(outgoingMessage.kind, 'quiz_open'), eq(outgoingMessage.channel, 'push')))
				.all();
			expect(pushes).toHaveLength(1);
			expect(pushes[0].subject).toBe('New quiz: Know the cases');
			expect(db.select().from(quiz).where(eq(quiz.id, later.id)).get()!.announcedAt).toBe(
				now + 2 * HOUR
			);
		} finally {
			cleanup();
		}
	});
});

describe.each(DIALECTS)('quizzes over HTTP on %s', (dialect) => {
	let database: ServerDb;
	let seeded: SeededDb;
	let server: RunningServer;
	let managerCookie: string;
	let sellerCookie: string;
	let outsiderCookie: string;
	let timeZone: string;

	beforeAll(async () => {
		database = await seedServerDbOn(dialect, {}, async (file) => {
			const db = openDatabase(file.path);
			await makeUser(db, { email: 'boss@test.test', role: 'manager', password: PASSWORD });
			await makeUser(db, { email: 'stranger@test.test', password: PASSWORD });
			timeZone = db.select().from(season).where(eq(season.id, file.seasonId)).get()!.timeZone;
			db.$client.close();
		});
		seeded = database.seeded;
		server = await startServer({ dbPath: seeded.path, env: serverEnvFor(database) });
		[managerCookie, sellerCookie, outsiderCookie] = await Promise.all([
			signIn(server.url, 'boss@test.test'),
			signIn(server.url, seeded.people[0].email),
			signIn(server.url, 'stranger@test.test')
		]);
	});
	afterAll(async () => {
		await server?.stop();
		await database?.cleanup();
	});

	const post = (path: string, cookie: string, body: FormData) =>
		fetch(`${server.url}${path}`, {
			method: 'POST',
			body,
			headers: {
				origin: server.url,
				cookie: `session=${cookie}`,
				accept: 'application/json',
				'x-sveltekit-action': 'true'
			}
		});
	const formOf = (fields: Record<string, string | string[]>) => {
		const form = new FormData();
		for (const [k, v] of Object.entries(fields))
			for (const value of Array.isArray(v) ? v : [v]) form.append(k, value);
		return form;
	};
	const quizCount = async () => Number(await database.value('select count(*) from quiz'));
	const quizzes = () =>
		database.withStore(({ db, tables }) => db.select().from(tables.quiz).orderBy(tables.quiz.id));

	it('a manager creates and publishes; a participant is refused the console', async () => {
		const now = Date.now();
		const saved = await post(
			'/manage/quizzes/new?/save',
			managerCookie,
			formOf({
				title: 'Phone basics',
				intro: '',
				pointsPerCorrect: '5',
				passPercent: '100',
				opensAt: localInput(now - HOUR, timeZone),
				closesAt: '',
				'q.0.kind': 'single',
				'q.0.prompt': 'Is the sky blue?',
				'q.0.picture': '',
				'q.0.explanation': 'Mostly.',
				'q.0.o.0': 'Yes',
				'q.0.c.0': 'on',
				'q.0.o.1': 'No'
			})
		);
		expect(await saved.json()).toMatchObject({ type: 'redirect' });
		const [{ id }] = await quizzes();
		expect(
			(
				await (
					await post('/manage/quizzes?/publish', managerCookie, formOf({ id: String(id) }))
				).json()
			).type
		).toBe('success');

		expect(
			(
				await fetch(`${server.url}/manage/quizzes`, {
					headers: { cookie: `session=${sellerCookie}` }
				})
			).status
		).toBe(403);
		expect(
			(await post('/manage/quizzes?/publish', sellerCookie, formOf({ id: String(id) }))).status
		).toBe(403);
		// Members see it; someone outside the season is refused with a clear message.
		const list = await fetch(`${server.url}/quizzes`, {
			headers: { cookie: `session=${sellerCookie}` }
		});
		expect(await list.text()).toContain('Phone basics');
		const stranger = await fetch(`${server.url}/quizzes/${id}`, {
			headers: { cookie: `session=${outsiderCookie}` }
		});
		expect(stranger.status).toBe(403);
	});

	it('two concurrent first submissions earn once; a retry earns nothing', async () => {
		const { id, questionId, yes } = await database.withStore(async ({ db, tables }) => {
			const { quiz, quizQuestion, quizOption } = tables;
			const [q] = await db.select().from(quiz).orderBy(quiz.id).limit(1);
			const [question] = await db
				.select()
				.from(quizQuestion)
				.where(eq(quizQuestion.quizId, q.id))
				.orderBy(quizQuestion.position)
				.limit(1);
			const [yes] = await db
				.select()
				.from(quizOption)
				.where(eq(quizOption.questionId, question.id))
				.orderBy(quizOption.position)
				.limit(1);
			return { id: q.id, questionId: question.id, yes: yes.id };
		});
		const take = (requestId: string) =>
			post(`/quizzes/${id}`, sellerCookie, formOf({ requestId, [`q${questionId}`]: String(yes) }));
		const answers = await Promise.all([take('concurrent-aaaa-1'), take('concurrent-bbbb-2')]);
		for (const a of answers) expect((await a.json()).type).toBe('redirect');
		await (await take('later-retry-3')).json();
		const attempts = await database.withStore(({ db, tables: { quizAttempt } }) =>
			db.select().from(quizAttempt).where(eq(quizAttempt.quizId, id))
		);
		expect(attempts).toHaveLength(3);
		expect(attempts.filter((a) => a.earning)).toHaveLength(1);
		expect(attempts.reduce((sum, a) => sum + a.points, 0)).toBe(5);
		const entries = await database.withStore(({ db, tables: { ledgerEntry } }) =>
			db.select().from(ledgerEntry).where(eq(ledgerEntry.kind, 'quiz'))
		);
		expect(entries.map((e) => e.points)).toEqual([5]);
		// The result page shows the explanation and the points.
		const page = await fetch(
			`${server.url}/quizzes/${id}?attempt=${attempts.find((a) => a.earning)!.id}`,
			{
				headers: { cookie: `session=${sellerCookie}` }
			}
		);
		const html = await page.text();
		expect(html).toContain('Mostly.');
		expect(html).toContain('+5 pts');
	});

	it('a CSV import with a bad row changes nothing and names the row', async () => {
		const before = await quizCount();
		const file = [CSV_HEADER, 'Good?,,Yes,No,,1,', 'Bad?,single,Yes,No,,1;2,'].join('\n');
		const form = formOf({ title: 'Imported' });
		form.set('file', new Blob([file], { type: 'text/csv' }), 'quiz.csv');
		const refused = await post('/manage/quizzes?/import', managerCookie, form);
		const body = await refused.json();
		expect(body).toMatchObject({ type: 'failure', status: 400 });
		expect(JSON.stringify(body)).toContain('Row 3');
		expect(await quizCount()).toBe(before);

		const good = formOf({ title: 'Imported' });
		good.set(
			'file',
			new Blob([[CSV_HEADER, 'Good?,,Yes,No,,1,'].join('\n')], { type: 'text/csv' }),
			'quiz.csv'
		);
		expect((await (await post('/manage/quizzes?/import', managerCookie, good)).json()).type).toBe(
			'redirect'
		);
		expect(await quizCount()).toBe(before + 1);
	});
});
