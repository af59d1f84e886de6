// The weekly digest and the managers' daily summary on the store (#20, notify/digest/job.ts): a
// season's ranking at an instant, read in SQL both dialects speak, and the check that queues the
// mails, with the same assertions on a temp SQLite file and a throwaway PostgreSQL. "Two nodes"
// are two stores on one database: two SQLite connections to one file, two PostgreSQL pools.
import { describe, expect, it } from 'vitest';
import { and, eq, like } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import { readRankingAt, type RankingSeason } from '../../src/lib/server/notify/digest/ranking-at';
import { createDigestCheck } from '../../src/lib/server/notify/digest/job';
import { setWanted } from '../../src/lib/server/notify/preferences';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('digest-job-store');
const MONDAY_8 = Date.UTC(2026, 11, 7, 8);

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: 0 | 1) => nodes[dialect][i];

	/** A ledger entry of `points` for a member, written at `at`. */
	const entry = async (
		store: Store,
		seasonId: number,
		teamId: number,
		userId: number,
		points: number,
		at: number,
		status: 'confirmed' | 'provisional' = 'confirmed'
	) => {
		const { ledgerEntry } = store.tables;
		await store.db
			.insert(ledgerEntry)
			.values({ seasonId, teamId, userId, kind: 'bonus', points, status, createdAt: at });
	};

	it('a season’s ranking at an instant, written on one node, reads the same on the other', async () => {
		const s = await liveSeasonOn(node(0), { size: 4, teams: ['A'], endsAt: 1e13 });
		const [ann, bo, cy, dee] = s.people.map((p) => p.id);
		const { seasonMember } = node(0).tables;
		// Dee joined at 3,000: before then she is not in the ranking.
		await node(0)
			.db.update(seasonMember)
			.set({ joinedAt: 0 })
			.where(eq(seasonMember.seasonId, s.seasonId));
		await node(0)
			.db.update(seasonMember)
			.set({ joinedAt: 3_000 })
			.where(and(eq(seasonMember.seasonId, s.seasonId), eq(seasonMember.userId, dee)));
		await entry(node(0), s.seasonId, s.teamIds[0], ann, 100, 1_000);
		await entry(node(0), s.seasonId, s.teamIds[0], bo, 50, 500);
		await entry(node(0), s.seasonId, s.teamIds[0], bo, 80, 1_500, 'provisional');
		await entry(node(0), s.seasonId, s.teamIds[0], cy, 100, 1_200);
		const confirmed: RankingSeason = {
			id: s.seasonId,
			rankBy: 'confirmed',
			tieRule: 'competition'
		};
		const places = async (at: number, ranking = confirmed) =>
			(await readRankingAt(node(1).db, node(1).tables, ranking, at)).map((r) => [
				r.id,
				r.rank,
				r.points
			]);
		// Ann and Cy tie at 100: Ann reached it first.
		expect(await places(2_000)).toEqual([
			[ann, 1, 100],
			[cy, 1, 100],
			[bo, 3, 50]
		]);
		expect(await places(800)).toEqual([
			[bo, 1, 50],
			[ann, 2, 0],
			[cy, 2, 0]
		]);
		expect(await places(2_000, { ...confirmed, rankBy: 'total', tieRule: 'dense' })).toEqual([
			[bo, 1, 130],
			[ann, 2, 100],
			[cy, 2, 100]
		]);
		expect((await places(4_000)).map(([id]) => id)).toEqual([ann, cy, bo, dee]);
	});

	it('checks on both nodes at once queue each digest and each summary once', async () => {
		const s = await liveSeasonOn(node(0), {
			size: 3,
			teams: ['A'],
			endsAt: 1e13,
			timeZone: 'UTC'
		});
		const [ann, bo, cy] = s.people.map((p) => p.id);
		await entry(node(0), s.seasonId, s.teamIds[0], bo, 150, MONDAY_8 - 3_600_000);
		await entry(node(0), s.seasonId, s.teamIds[0], ann, 100, MONDAY_8 - 10 * 86_400_000);
		await setWanted(node(1), cy, 'email', 'weekly_digest', false);
		const { user, outgoingMessage } = node(0).tables;
		const [manager] = await node(0)
			.db.insert(user)
			.values({
				email: `digest-manager-${s.seasonId}@example.test`,
				displayName: 'Manager',
				role: 'manager',
				passwordHash: 'not-a-real-hash'
			})
			.returning({ id: user.id });
		const before = await createDigestCheck(node(0)).check(MONDAY_8 - 1);
		expect(before).toEqual({ digests: 0, summaries: 0 });
		const counts = await Promise.all([
			createDigestCheck(node(0)).check(MONDAY_8),
			createDigestCheck(node(1)).check(MONDAY_8)
		]);
		const queued = await node(1)
			.db.select({
				userId: outgoingMessage.userId,
				kind: outgoingMessage.kind,
				key: outgoingMessage.dedupeKey
			})
			.from(outgoingMessage)
			.where(like(outgoingMessage.dedupeKey, '%:2026-%'));
		const digests = queued.filter((m) => m.kind === 'weekly_digest');
		const summaries = queued.filter((m) => m.kind === 'daily_summary');
		// Nothing counted twice: what the two checks say they queued is what the outbox holds.
		expect(counts[0].digests + counts[1].digests).toBe(digests.length);
		expect(counts[0].summaries + counts[1].summaries).toBe(summaries.length);
		expect(new Set(queued.map((m) => m.key)).size).toBe(queued.length);
		// Ann and Bo get this week's digest, Cy has switched it off; the manager gets the summary.
		const mine = digests.filter((m) => [ann, bo, cy].includes(m.userId!));
		expect(mine.map((m) => [m.userId, m.key]).sort()).toEqual(
			[
				[ann, `digest:${ann}:2026-W50`],
				[bo, `digest:${bo}:2026-W50`]
			].sort()
		);
		expect(summaries.filter((m) => m.userId === manager.id).map((m) => m.key)).toEqual([
			`summary:${manager.id}:2026-12-07`
		]);
		// Checked again later on either node: nothing more.
		expect(await createDigestCheck(node(1)).check(MONDAY_8 + 60_000)).toEqual({
			digests: 0,
			summaries: 0
		});
	});
});
