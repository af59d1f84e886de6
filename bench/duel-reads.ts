// What the duels' reads cost on SQLite (#20: the duels ported onto the store, challenges/).
// Two paths: the home page's invitations (`invitationsFor`, on every load of the board by a
// member: now awaited on the store, in one `read`) and the boards' format view of the duels
// (`challengesView.build`, run synchronously with each push: the same generator as the store's
// `readDuels`, formats/measure.ts's period sums included). Against an older checkout's
// synchronous ones (`--old <worktree>`, e.g. `git worktree add /work/wt-old <commit>` with its
// node_modules linked), on one file: a live season of 200 people in 10 teams, 20 ledger entries
// each in the week, 32 live duels, 3 of them and one open proposal the viewer's. Variants
// interleaved, rounds × iterations; prints the median µs and CPU µs per call.
// Run with `npx tsx bench/duel-reads.ts [--old <worktree>] [--rounds 7] [--n 2000]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '../src/lib/server/db';
import {
	challenge,
	ledgerEntry,
	season,
	seasonMember,
	team,
	user
} from '../src/lib/server/db/schema';
import { sqliteStore } from '../src/lib/server/db/store';
import { challengesView, invitationsFor } from '../src/lib/server/challenges/view';
import type { ChallengesView } from '../src/lib/contest/challenge';
import { option } from './lib/args';
import { timeInterleaved, type Variant } from './lib/interleaved';
import { liveDuelRows } from './lib/duels';

const ROUNDS = option('rounds', 7);
const N = option('n', 2000);
const at = process.argv.indexOf('--old');
const OLD = at === -1 ? null : resolve(process.argv[at + 1]);

const DAY = 24 * 60 * 60 * 1000;
const now = Date.now();
const week = { from: now - 3 * DAY, to: now + 4 * DAY };

const dir = mkdtempSync(join(tmpdir(), 'honorboard-duel-bench-'));
const file = join(dir, 'bench.db');
const db = openDatabase(file);
const store = sqliteStore(db);

const { id: seasonId } = db
	.insert(season)
	.values({
		name: 'Bench',
		theme: { primary: '#2563eb', accent: '#f59e0b', emoji: '🏆', tagline: '' },
		startsAt: now - 30 * DAY,
		endsAt: now + 30 * DAY,
		status: 'live',
		timeZone: 'UTC'
	})
	.returning()
	.get();
const teams = Array.from(
	{ length: 10 },
	(_, i) =>
		db
			.insert(team)
			.values({ seasonId, name: `Team ${i}` })
			.returning()
			.get().id
);
const people: { id: number; teamId: number }[] = [];
db.transaction((tx) => {
	for (let i = 0; i < 200; i++) {
		const { id } = tx
			.insert(user)
			.values({ email: `p${i}@x`, displayName: `P ${i}`, role: 'participant', passwordHash: 'x' })
			.returning()
			.get();
		const teamId = teams[i % teams.length];
		tx.insert(seasonMember).values({ seasonId, userId: id, teamId }).run();
		people.push({ id, teamId });
		for (let e = 0; e < 20; e++)
			tx.insert(ledgerEntry)
				.values({
					seasonId,
					userId: id,
					teamId,
					kind: 'adjustment',
					points: 1 + ((i + e) % 7),
					status: 'confirmed',
					reason: 'bench',
					createdAt: week.from + (e + 1) * 3600_000
				})
				.run();
	}
	tx.insert(challenge)
		.values(liveDuelRows(seasonId, people, week))
		.run();
	// The viewer (person 1) has one more open proposal to answer, and is in two more duels.
	for (const [a, b, status] of [
		[5, 1, 'proposed'],
		[1, 7, 'live'],
		[9, 1, 'live']
	] as const)
		tx.insert(challenge)
			.values({
				seasonId,
				subjectType: 'user',
				challengerId: people[a].id,
				opponentId: people[b].id,
				measure: 'points',
				periodFrom: week.from,
				periodTo: week.to,
				status,
				answerBy: now + DAY
			})
			.run();
});
const viewer = people[1];

const variants: Variant[] = [
	{
		name: 'invitations, store (awaited)',
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++)
				if ((await invitationsFor(store, seasonId, viewer.id, viewer.teamId, now)).length !== 1)
					throw new Error('no invitation');
		}
	},
	{
		name: 'open duels view, after (synchronous)',
		ops: N / 10,
		run: () => {
			for (let i = 0; i < N / 10; i++)
				if (openDuels(challengesView, db) !== 32) throw new Error('duels missing');
		}
	}
];
/** The number of duels the view shows, built as a push builds it. */
function openDuels(view: typeof challengesView, on: unknown): number {
	return (view.build(on as typeof db, seasonId, now) as ChallengesView).duels.length;
}

if (OLD) {
	// The older checkout's own modules, on its own connection to the same file.
	const old = (await import(join(OLD, 'src/lib/server/challenges/view.ts'))) as {
		invitationsFor: (...args: unknown[]) => unknown[];
		challengesView: typeof challengesView;
	};
	const oldDb = (
		(await import(join(OLD, 'src/lib/server/db/index.ts'))) as {
			openDatabase: (file: string) => unknown;
		}
	).openDatabase(file);
	variants.unshift({
		name: 'invitations, before (synchronous)',
		ops: N,
		run: () => {
			for (let i = 0; i < N; i++)
				if (old.invitationsFor(oldDb, seasonId, viewer.id, viewer.teamId, now).length !== 1)
					throw new Error('no invitation');
		}
	});
	variants.push({
		name: 'open duels view, before (synchronous)',
		ops: N / 10,
		run: () => {
			for (let i = 0; i < N / 10; i++)
				if (openDuels(old.challengesView, oldDb) !== 32) throw new Error('duels missing');
		}
	});
}

console.log(`${ROUNDS - 1} counted rounds; ${N} invitation reads and ${N / 10} views per round`);
await timeInterleaved(variants, ROUNDS);
db.$client.close();
rmSync(dir, { recursive: true, force: true });
