// The rank counts held in memory (boards/ranking-points.ts) must never give a rank other than
// the full ranking's (readLeaderboard, which ranks with contest/ranking.ts's rank()): after random
// sales (one by one and grouped into one WriteBatch), confirmations, rejections, reversals,
// adjustments (some below 0), recalculations, people joining with 0 points and invitations
// accepted, for both tie rules and both rankBy modes; and when another connection writes.
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest, makeMember, makeUser } from '../helpers/factories';
import { openDatabase, type Db } from '../../src/lib/server/db';
import { product, season, seasonMember, user } from '../../src/lib/server/db/schema';
import { recordOn } from '../helpers/record-sale';
import { recordSaleGrouped } from '../../src/lib/server/scoring/group-commit';
import { reviewSales, type Decision } from '../../src/lib/server/scoring/review';
import { adjustPoints } from '../../src/lib/server/scoring/adjustments';
import { sqliteStore } from '../../src/lib/server/db/store';
import { recalculateOn } from '../../src/lib/server/scoring/recalculate-run-store';
import {
	readLeaderboard,
	readRankingPage,
	readStanding
} from '../../src/lib/server/boards/leaderboard';
import type { SeasonRanking } from '../../src/lib/server/boards/ranking-window';
import { rankingPoints } from '../../src/lib/server/boards/ranking-points';
import type { LeaderboardEntry } from '../../src/lib/realtime/events';
import { mulberry32 } from '../../src/lib/seeded-random';

const HOUR = 3_600_000;

let ctx: ReturnType<typeof tempDb> | undefined;
afterEach(() => {
	ctx?.cleanup();
	ctx = undefined;
});

/** What orders a season's ranking (the held counts are kept per season and order). */
function seasonRanking(db: Db, seasonId: number): SeasonRanking {
	const s = db
		.select({ version: season.version, tieRule: season.tieRule, rankBy: season.rankBy })
		.from(season)
		.where(eq(season.id, seasonId))
		.get()!;
	return { seasonId, ...s };
}

/**
 * Every player's rank and gap from readStanding, and every rank of a walk through the ranking in
 * pages of 4 (each page after the first counts its first rank), against the full ranking.
 * Returns how many ranks were compared.
 */
async function expectRanksOfFullRanking(db: Db, seasonId: number, label: string) {
	const store = sqliteStore(db);
	const s = seasonRanking(db, seasonId);
	const full = (await readLeaderboard(store, seasonId))!.individual;
	const value = (e: LeaderboardEntry) =>
		s.rankBy === 'total' ? e.points + e.provisionalPoints : e.points;
	for (const [index, entry] of full.entries()) {
		const mine = (await readStanding(store, seasonId, entry.id))!;
		expect(mine.entry.rank, `${label}: rank of ${entry.id}`).toBe(entry.rank);
		const above = full
			.slice(0, index)
			.reverse()
			.find((e) => value(e) > value(entry));
		expect(mine.gap?.nextRank ?? null, `${label}: next rank of ${entry.id}`).toBe(
			above?.rank ?? null
		);
	}
	const walked: number[] = [];
	let after: string | undefined;
	for (let guard = 0; guard < 200; guard++) {
		const page = (await readRankingPage(store, seasonId, { after, limit: 4 }))!;
		walked.push(...page.entries.map((e) => e.rank));
		if (!page.next) break;
		after = page.next;
	}
	expect(walked, `${label}: ranks of the pages`).toEqual(full.map((e) => e.rank));
	return full.length;
}

async function randomHistory(
	tieRule: 'competition' | 'dense',
	rankBy: 'confirmed' | 'total',
	seed: number
) {
	ctx = tempDb();
	const db = ctx.db;
	const random = mulberry32(seed);
	const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
	const contest = await makeContest(db, { teams: 3, people: 12, requireConfirmation: true });
	const seasonId = contest.season.id;
	db.update(season).set({ tieRule, rankBy }).where(eq(season.id, seasonId)).run();
	db.update(product).set({ active: true }).where(eq(product.seasonId, seasonId)).run();
	const manager = await makeUser(db, { role: 'manager' });
	const actor = { userId: manager.id };
	const people = contest.people.map((p) => p.id);
	const invited: number[] = [];
	const now = Date.now();
	const sales: { id: number; status: string }[] = [];
	let n = 0;
	let compared = 0;
	const sell = (seller: number) => ({
		source: 'api' as const,
		externalId: `s${++n}`,
		seller: { userId: seller },
		occurredAt: now - 2 * HOUR,
		lines: [{ sku: pick(['PHONE', 'CASE', 'CASE', 'OLD']), quantity: 1 + Math.floor(random() * 2) }]
	});
	for (let step = 0; step < 150; step++) {
		const roll = random();
		if (roll < 0.35 || sales.length === 0) {
			const { sale } = await recordOn(db, sell(pick(people)), () => now - HOUR);
			sales.push({ id: sale.id, status: sale.status });
		} else if (roll < 0.45) {
			// Several sales in one transaction: the group commit's WriteBatch writes the standings.
			const group = await Promise.all(
				Array.from({ length: 3 }, () =>
					recordSaleGrouped(sqliteStore(db), sell(pick(people)), () => now - HOUR)
				)
			);
			for (const { sale } of group) sales.push({ id: sale.id, status: sale.status });
		} else if (roll < 0.75) {
			const target = pick(sales);
			if (target.status === 'rejected' || target.status === 'reversed') continue;
			const decision: Decision =
				target.status === 'pending' ? pick(['confirm', 'confirm', 'reject'] as const) : 'reverse';
			const [result] = await reviewSales(
				sqliteStore(db),
				[target.id],
				{ decision, actor, reason: decision === 'confirm' ? null : 'test' },
				() => now - HOUR
			);
			target.status = result.sale.status;
		} else if (roll < 0.87) {
			await adjustPoints(
				sqliteStore(db),
				{
					seasonId,
					userId: pick(people),
					points: pick([-60, -15, -5, 5, 10, 40]),
					reason: 'Random',
					actor
				},
				() => now - HOUR
			);
		} else if (roll < 0.93) {
			// Someone joins with 0 points; or is invited (not a player) and accepts later.
			if (random() < 0.5) {
				people.push((await makeMember(db, seasonId, pick(contest.teams).id)).id);
			} else {
				const guest = db
					.insert(user)
					.values({ email: `guest${++n}@test.test`, displayName: `Guest ${n}`, passwordHash: '!' })
					.returning()
					.get();
				db.insert(seasonMember)
					.values({ seasonId, userId: guest.id, teamId: pick(contest.teams).id })
					.run();
				invited.push(guest.id);
			}
		} else if (roll < 0.96 && invited.length > 0) {
			const accepted = invited.pop()!;
			db.update(user).set({ passwordHash: 'x' }).where(eq(user.id, accepted)).run();
			people.push(accepted);
		} else {
			db.update(product)
				.set({ points: 1 + Math.floor(random() * 60) })
				.where(eq(product.sku, pick(['PHONE', 'CASE'])))
				.run();
			await recalculateOn(sqliteStore(db), seasonId, actor, () => now - HOUR);
		}
		if (step % 10 === 9) {
			compared += await expectRanksOfFullRanking(db, seasonId, `${tieRule}/${rankBy} step ${step}`);
			// The counts came from memory, not from SQL.
			expect(rankingPoints(db, seasonRanking(db, seasonId))).not.toBeNull();
		}
	}
	return { db, seasonId, compared };
}

describe('rank counts held in memory', () => {
	for (const tieRule of ['competition', 'dense'] as const)
		for (const rankBy of ['confirmed', 'total'] as const)
			it(`equal the full ranking after random writes (${tieRule}, ${rankBy})`, async () => {
				const { compared } = await randomHistory(
					tieRule,
					rankBy,
					tieRule.length * 31 + rankBy.length
				);
				expect(compared).toBeGreaterThan(150);
			});

	it('notice what another connection wrote (PRAGMA data_version)', async () => {
		const { db, seasonId } = await randomHistory('competition', 'total', 7);
		const s = seasonRanking(db, seasonId);
		expect(rankingPoints(db, s)).not.toBeNull();
		// The bottom scorer jumps to the top, written by a second handle: no journal mark, only
		// the version (as another process running the scoring code would do).
		const full = (await readLeaderboard(sqliteStore(db), seasonId))!.individual;
		const bottom = full.filter((e) => e.points + e.provisionalPoints > 0).at(-1)!;
		const other = new Database(ctx!.path);
		try {
			other
				.prepare(
					`UPDATE standing SET confirmed_points = confirmed_points + 10000
					WHERE season_id = ? AND subject_type = 'user' AND subject_id = ?`
				)
				.run(seasonId, bottom.id);
			other.prepare(`UPDATE season SET version = version + 1 WHERE id = ?`).run(seasonId);
			expect((await readStanding(sqliteStore(db), seasonId, bottom.id))!.entry.rank).toBe(1);
			await expectRanksOfFullRanking(db, seasonId, 'after the other connection wrote');
			// Once the rebuild is allowed again (at most one a second), from memory.
			await new Promise((resolve) => setTimeout(resolve, 1100));
			expect(rankingPoints(db, seasonRanking(db, seasonId))).not.toBeNull();
			await expectRanksOfFullRanking(db, seasonId, 'after the rebuild');
			// The scoring code on another handle of this process: marks and data_version both.
			const second = openDatabase(ctx!.path);
			try {
				await adjustPoints(
					sqliteStore(second),
					{
						seasonId,
						userId: full.at(-1)!.id,
						points: 20_000,
						reason: 'Other',
						actor: { userId: 1 }
					},
					() => Date.now()
				);
			} finally {
				second.$client.close();
			}
			expect((await readStanding(sqliteStore(db), seasonId, full.at(-1)!.id))!.entry.rank).toBe(1);
			await expectRanksOfFullRanking(db, seasonId, 'after the scoring code on another handle');
		} finally {
			other.close();
		}
	});
});
