// What a manager's adjustment costs on SQLite (#20: scoring/adjustments.ts ported onto the
// store, the ledger's `…InWrite` steps). The awaited `adjustPoints(store, …)` against the
// synchronous body it replaced (base 9e8d5a1: one `db.transaction(…, { behavior: 'immediate' })`
// of the member's read, `appendEntry`, `audit` and `bumpVersion`, which the sales path keeps),
// on one file of 200 members, people taken in turn; variants interleaved, rounds × iterations;
// prints the median µs per adjustment and the CPU µs per adjustment.
// Run with `npx tsx bench/adjust-points.ts [--rounds 7] [--n 5000]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { openDatabase } from '../src/lib/server/db';
import { season, seasonMember, team, user } from '../src/lib/server/db/schema';
import { sqliteStore } from '../src/lib/server/db/store';
import { adjustPoints } from '../src/lib/server/scoring/adjustments';
import { appendEntry } from '../src/lib/server/scoring/ledger';
import { bumpVersion } from '../src/lib/server/scoring/standings';
import { audit } from '../src/lib/server/audit/record';
import { option } from './lib/args';
import { timeInterleaved, type Variant } from './lib/interleaved';

const ROUNDS = option('rounds', 7);
const N = option('n', 5_000);

const dir = mkdtempSync(join(tmpdir(), 'honorboard-adjust-bench-'));
const db = openDatabase(join(dir, 'bench.db'));
const store = sqliteStore(db);
const { id: seasonId } = db
	.insert(season)
	.values({
		name: 'Bench',
		theme: { primary: '#2563eb', accent: '#f59e0b', emoji: '🏆', tagline: '' },
		startsAt: 0,
		endsAt: 1e13,
		status: 'live'
	})
	.returning()
	.get();
const { id: teamId } = db.insert(team).values({ seasonId, name: 'T' }).returning().get();
const people: number[] = [];
for (let i = 0; i < 200; i++) {
	const { id } = db
		.insert(user)
		.values({ email: `p${i}@x`, displayName: `P ${i}`, role: 'participant', passwordHash: 'x' })
		.returning()
		.get();
	db.insert(seasonMember).values({ seasonId, userId: id, teamId }).run();
	people.push(id);
}
const { id: managerId } = db
	.insert(user)
	.values({ email: 'boss@x', displayName: 'Boss', role: 'manager', passwordHash: 'x' })
	.returning()
	.get();
const input = (i: number) => ({
	seasonId,
	userId: people[i % people.length],
	points: (i % 7) + 1,
	reason: 'bench',
	actor: { userId: managerId }
});

/** The body adjustPoints had before the port (its checks left out: both variants pass them). */
function adjustBefore(i: number): number {
	const { userId, points, reason, actor } = input(i);
	const now = Date.now();
	return db.transaction(
		(tx) => {
			const member = tx
				.select({ teamId: seasonMember.teamId, name: user.displayName })
				.from(seasonMember)
				.innerJoin(user, eq(user.id, seasonMember.userId))
				.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, userId)))
				.get()!;
			const id = appendEntry(
				tx,
				{
					seasonId,
					userId,
					teamId: member.teamId,
					kind: 'adjustment',
					points,
					status: 'confirmed',
					reason,
					createdById: actor.userId
				},
				now
			);
			audit(tx, actor, 'points.adjust', `user:${userId}`, { seasonId, points, reason }, now);
			bumpVersion(tx, seasonId);
			return id;
		},
		{ behavior: 'immediate' }
	);
}

const variants: Variant[] = [
	{
		name: 'adjust, before (synchronous)',
		ops: N,
		run: () => {
			for (let i = 0; i < N; i++) adjustBefore(i);
		}
	},
	{
		name: 'adjust, store (awaited)',
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++) await adjustPoints(store, input(i));
		}
	}
];

console.log(`${ROUNDS - 1} counted rounds; ${N} adjustments per round`);
await timeInterleaved(variants, ROUNDS);
db.$client.close();
rmSync(dir, { recursive: true, force: true });
