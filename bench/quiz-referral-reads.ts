// What the participants' quiz and referral pages read on SQLite, per page request (#20: quizzes
// and referrals ported onto the store). The ported, awaited reads against the synchronous ones
// of an older checkout (`--old <worktree>`, e.g. `git worktree add /work/wt-old <commit>`; its
// functions take a Db), on one file: a live season of 1,000 members, 5 open quizzes of 10
// questions taken by half of them, 3,000 referrals. Per operation, one page's reads for the next
// person in turn: /quizzes (`openQuizzesFor`), /quizzes/[id] (`quizForMember`, `attemptsOf`),
// /referrals (`referralSettings`, `listMyReferrals`). Variants interleaved, rounds × iterations;
// prints the median µs and CPU µs per page's reads.
// Run with `npx tsx bench/quiz-referral-reads.ts [--old <worktree>] [--rounds 7] [--n 2000]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '../src/lib/server/db';
import {
	quiz,
	quizAttempt,
	quizOption,
	quizQuestion,
	referral,
	season,
	seasonMember,
	team,
	user
} from '../src/lib/server/db/schema';
import { sqliteStore } from '../src/lib/server/db/store';
import { openQuizzesFor, quizForMember } from '../src/lib/server/quizzes/queries';
import { attemptsOf } from '../src/lib/server/quizzes/attempts';
import { referralSettings } from '../src/lib/server/referrals/programme';
import { listMyReferrals } from '../src/lib/server/referrals/queries';
import { option } from './lib/args';
import { timeInterleaved, type Variant } from './lib/interleaved';

const ROUNDS = option('rounds', 7);
const N = option('n', 2_000);
const at = process.argv.indexOf('--old');
const OLD = at === -1 ? null : resolve(process.argv[at + 1]);
const PEOPLE = 1000;
const now = Date.now();

const dir = mkdtempSync(join(tmpdir(), 'honorboard-quiz-referral-bench-'));
const file = join(dir, 'bench.db');
const db = openDatabase(file);
const store = sqliteStore(db);

const seasonId = db
	.insert(season)
	.values({
		name: 'Bench',
		theme: { primary: '#2563eb', accent: '#f59e0b', emoji: '🏆', tagline: '' },
		startsAt: 0,
		endsAt: now * 2,
		status: 'live'
	})
	.returning()
	.get().id;
const teamId = db.insert(team).values({ seasonId, name: 'Crew' }).returning().get().id;
const people: number[] = [];
db.transaction((tx) => {
	for (let i = 0; i < PEOPLE; i++) {
		const { id } = tx
			.insert(user)
			.values({ email: `p${i}@x`, displayName: `P ${i}`, role: 'participant', passwordHash: 'x' })
			.returning()
			.get();
		tx.insert(seasonMember).values({ seasonId, userId: id, teamId }).run();
		people.push(id);
	}
	for (let q = 0; q < 5; q++) {
		const quizId = tx
			.insert(quiz)
			.values({
				seasonId,
				title: `Quiz ${q}`,
				opensAt: now - 1000,
				publishedAt: now - 1000,
				createdAt: now,
				updatedAt: now
			})
			.returning()
			.get().id;
		const answers: Record<string, number[]> = {};
		for (let k = 0; k < 10; k++) {
			const questionId = tx
				.insert(quizQuestion)
				.values({ quizId, position: k, kind: 'single', prompt: `Q ${k}` })
				.returning()
				.get().id;
			const options = tx
				.insert(quizOption)
				.values(
					[0, 1, 2].map((i) => ({ questionId, position: i, label: `O ${i}`, correct: i === 1 }))
				)
				.returning()
				.all();
			answers[questionId] = [options[1].id];
		}
		for (const [i, userId] of people.entries())
			if (i % 2 === 0)
				tx.insert(quizAttempt)
					.values({
						quizId,
						userId,
						answers,
						correctCount: 10,
						questionCount: 10,
						passed: true,
						earning: true,
						points: 100,
						createdAt: now
					})
					.run();
	}
	for (let r = 0; r < 3 * PEOPLE; r++)
		tx.insert(referral)
			.values({
				seasonId,
				referrerId: people[r % PEOPLE],
				customerName: `Customer ${r}`,
				customerKey: `c${r}`,
				points: 50,
				expiresAt: now + 1e9,
				createdAt: now + r
			})
			.run();
});
const quizIds = db
	.select({ id: quiz.id })
	.from(quiz)
	.all()
	.map((r) => r.id);
const person = (i: number) => people[i % PEOPLE];

const variants: Variant[] = [
	{
		name: '/quizzes, store',
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++)
				if ((await openQuizzesFor(store, seasonId, person(i), now)).length !== 5)
					throw new Error('quizzes');
		}
	},
	{
		name: '/quizzes/[id], store',
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++) {
				const id = quizIds[i % 5];
				if (!(await quizForMember(store, id, now))) throw new Error('quiz');
				await attemptsOf(store, id, person(i));
			}
		}
	},
	{
		name: '/referrals, store',
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++) {
				await referralSettings(store, seasonId);
				if ((await listMyReferrals(store, person(i))).length !== 3) throw new Error('referrals');
			}
		}
	}
];
if (OLD) {
	// The older checkout's own modules, on its own connection to the same file.
	const load = async <T>(path: string) => (await import(join(OLD, path))) as T;
	type Fn = (db: unknown, ...rest: number[]) => unknown;
	const oldQueries = await load<{ openQuizzesFor: Fn; quizForMember: Fn }>(
		'src/lib/server/quizzes/queries.ts'
	);
	const oldAttempts = await load<{ attemptsOf: Fn }>('src/lib/server/quizzes/attempts.ts');
	const oldProgramme = await load<{ referralSettings: Fn }>(
		'src/lib/server/referrals/programme.ts'
	);
	const oldReferrals = await load<{ listMyReferrals: Fn }>('src/lib/server/referrals/queries.ts');
	const oldDb = (
		await load<{ openDatabase: (file: string) => unknown }>('src/lib/server/db/index.ts')
	).openDatabase(file);
	variants.splice(
		0,
		0,
		{
			name: '/quizzes, before',
			ops: N,
			run: () => {
				for (let i = 0; i < N; i++)
					if (
						(oldQueries.openQuizzesFor(oldDb, seasonId, person(i), now) as unknown[]).length !== 5
					)
						throw new Error('quizzes');
			}
		},
		{
			name: '/quizzes/[id], before',
			ops: N,
			run: () => {
				for (let i = 0; i < N; i++) {
					const id = quizIds[i % 5];
					if (!oldQueries.quizForMember(oldDb, id, now)) throw new Error('quiz');
					oldAttempts.attemptsOf(oldDb, id, person(i));
				}
			}
		},
		{
			name: '/referrals, before',
			ops: N,
			run: () => {
				for (let i = 0; i < N; i++) {
					oldProgramme.referralSettings(oldDb, seasonId);
					if ((oldReferrals.listMyReferrals(oldDb, person(i)) as unknown[]).length !== 3)
						throw new Error('referrals');
				}
			}
		}
	);
}

console.log(`${ROUNDS - 1} counted rounds; ${N} page reads per round and variant`);
await timeInterleaved(variants, ROUNDS);
rmSync(dir, { recursive: true, force: true });
