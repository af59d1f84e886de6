import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeProduct, makeSeason, makeTeam } from '../helpers/factories';
import { openDatabase, type Db } from '../../src/lib/server/db';
import { season, seasonMember, seasonResult, user } from '../../src/lib/server/db/schema';
import { runScheduler } from '../../src/lib/server/seasons/scheduler';
import { getLeaderboard } from '../../src/lib/server/boards/leaderboard';
import { recordSale } from '../../src/lib/server/scoring/sales';
import { reviewSales } from '../../src/lib/server/scoring/review';
import { createBadge } from '../../src/lib/server/badges/commands';
import { reevaluationsSettled } from '../../src/lib/server/badges/reevaluate';
import * as delivery from '../../src/lib/server/webhooks/delivery';

// The season's end writes its results with raw multi-row INSERTs and gives the end-of-season
// badges from the rows it just froze (docs/benchmarks.md, "Season end without the builder").
// These tests hold it to what it did before: the results are the board as shown at the end
// (the reference: getLeaderboard read just before), the badges follow them, and a sale is
// either in the results or refused, never half.

// A hook run inside the end's transaction, when it enqueues the season.ended webhook.
let duringEnd: (() => void) | undefined;
vi.mock('../../src/lib/server/webhooks/delivery', async (original) => {
	const actual = await original<typeof delivery>();
	return {
		...actual,
		enqueueWebhooks: ((...args: Parameters<typeof actual.enqueueWebhooks>) => {
			if (args[1] === 'season.ended') duringEnd?.();
			return actual.enqueueWebhooks(...args);
		}) as typeof actual.enqueueWebhooks
	};
});

const DAY = 86_400_000;
const NOW = Date.parse('2027-03-01T12:00:00Z');
let ctx: ReturnType<typeof tempDb>;
beforeEach(() => {
	ctx = tempDb();
	duringEnd = undefined;
});
afterEach(() => ctx.cleanup());

/**
 * A live season ending at NOW with 300 people in 4 teams (more than one 256-row INSERT), many
 * tied on points, some pending points, one person invited but not joined, one never selling.
 */
function bigSeason(db: Db) {
	const s = makeSeason(
		db,
		{ startsAt: NOW - 20 * DAY, endsAt: NOW, requireConfirmation: true },
		NOW
	);
	const teams = Array.from({ length: 4 }, (_, i) => makeTeam(db, s.id, `Team ${i}`));
	makeProduct(db, s.id, { sku: 'PHONE', points: 50 });
	makeProduct(db, s.id, { sku: 'CASE', points: 5 });
	const people: number[] = [];
	for (let i = 0; i < 300; i++) {
		const u = db
			.insert(user)
			.values({
				email: `p${i}@test.test`,
				displayName: `Person ${String(i % 50).padStart(2, '0')}`,
				role: 'participant',
				// One invitation not accepted yet: not a player until they score.
				passwordHash: i === 7 ? '!' : 'no-password'
			})
			.returning()
			.get();
		db.insert(seasonMember)
			.values({ seasonId: s.id, userId: u.id, teamId: teams[i % 4].id, joinedAt: NOW - 20 * DAY })
			.run();
		people.push(u.id);
	}
	let n = 0;
	const sales: number[] = [];
	for (let i = 0; i < people.length; i++) {
		if (i === 7 || i === 11) continue;
		for (const [sku, quantity] of [
			['PHONE', i % 4],
			['CASE', i % 3]
		] as const) {
			if (quantity === 0) continue;
			const at = NOW - 10 * DAY + i * 60_000;
			sales.push(
				recordSale(
					db,
					{
						source: 'api',
						externalId: `s${n++}`,
						seller: { userId: people[i] },
						occurredAt: at,
						lines: [{ sku, quantity }]
					},
					() => at
				).sale.id
			);
		}
	}
	// Two thirds confirmed, the rest pending: confirmed points rank, pending ones show.
	reviewSales(
		db,
		sales.filter((_, i) => i % 3 !== 0),
		{ decision: 'confirm', actor: {} },
		() => NOW - DAY
	);
	return { season: s, people };
}

/** The board as season_result rows, the way the end froze it before (the reference). */
function referenceResults(db: Db, seasonId: number, frozenAt: number) {
	const board = getLeaderboard(db, seasonId)!;
	return [
		...board.individual.map((e) => ({ subjectType: 'user' as const, ...e })),
		...board.teams.map((e) => ({ subjectType: 'team' as const, ...e }))
	]
		.map((e) => ({
			seasonId,
			subjectType: e.subjectType,
			subjectId: e.id,
			name: e.name,
			teamName: e.teamName ?? null,
			rank: e.rank,
			points: e.points,
			provisionalPoints: e.provisionalPoints,
			salesCount: e.salesCount,
			frozenAt
		}))
		.sort((a, b) => a.subjectType.localeCompare(b.subjectType) || a.subjectId - b.subjectId);
}

function storedResults(db: Db, seasonId: number) {
	return db
		.select()
		.from(seasonResult)
		.where(eq(seasonResult.seasonId, seasonId))
		.all()
		.sort((a, b) => a.subjectType.localeCompare(b.subjectType) || a.subjectId - b.subjectId);
}

function awards(db: Db, seasonId: number) {
	return db.all<{ badge: string; type: string; id: number }>(
		sql`select b.name as badge, a.subject_type as type, a.subject_id as id from award a
			join badge b on b.id = a.badge_id where a.season_id = ${seasonId} and a.period_key = ''
			order by a.id`
	);
}

describe("the season's end", () => {
	it('freezes the board as shown and gives the end badges from it, at the end and when final', async () => {
		const db = ctx.db;
		const { season: s, people } = bigSeason(db);
		await createBadge(
			db,
			s.id,
			{
				name: 'Top ten',
				criterion: { kind: 'season_place', maxRank: 10 },
				emoji: '🏅',
				description: '',
				points: 0,
				active: true
			},
			{ userId: null },
			() => NOW - DAY
		);
		await reevaluationsSettled(db);

		const expected = referenceResults(db, s.id, NOW + 1);
		expect(expected.filter((r) => r.subjectType === 'user')).toHaveLength(299); // all but the invitation not accepted
		expect(runScheduler(db, { clock: () => NOW + 1 }).map((t) => t.to)).toEqual(['ended']);
		expect(storedResults(db, s.id)).toEqual(expected);

		// The badges follow the frozen ranks, in key order (teams, then people, by id).
		const users = expected.filter((r) => r.subjectType === 'user');
		const teams = expected.filter((r) => r.subjectType === 'team');
		const place = (max: number) =>
			users.filter((r) => r.rank <= max && r.points > 0).map((r) => r.subjectId);
		const given = awards(db, s.id);
		const of = (name: string) => given.filter((a) => a.badge === name).map((a) => a.id);
		expect(of('Top ten')).toEqual(place(10));
		expect(of('Season champion')).toEqual(place(1));
		expect(of('Season podium')).toEqual(place(3));
		expect(of('Best team')).toEqual(
			teams.filter((r) => r.rank === 1 && r.points > 0).map((r) => r.subjectId)
		);
		expect(place(10).length).toBeGreaterThan(3);

		// Late confirmations in the grace period lift people; the final freeze is the board then.
		const pending = db.all<{ id: number }>(
			sql`select id from sale where season_id = ${s.id} and status = 'pending' order by id`
		);
		reviewSales(
			db,
			pending.map((p) => p.id),
			{ decision: 'confirm', actor: {} },
			() => NOW + DAY
		);
		const before = given.length;
		const final = referenceResults(db, s.id, NOW + 400 * DAY);
		expect(final).not.toEqual(expected.map((r) => ({ ...r, frozenAt: NOW + 400 * DAY })));
		expect(runScheduler(db, { clock: () => NOW + 400 * DAY }).map((t) => t.to)).toEqual([
			'archived'
		]);
		expect(storedResults(db, s.id)).toEqual(final);
		// Nobody loses a badge; whoever the confirmations lifted into the top ten gets it.
		const after = awards(db, s.id);
		expect(after.slice(0, before)).toEqual(given);
		const finalTop = final
			.filter((r) => r.subjectType === 'user' && r.rank <= 10 && r.points > 0)
			.map((r) => r.subjectId);
		expect(
			after
				.filter((a) => a.badge === 'Top ten')
				.map((a) => a.id)
				.sort((a, b) => a - b)
		).toEqual([...new Set([...place(10), ...finalTop])].sort((a, b) => a - b));
		expect(people).toHaveLength(300);
	});

	it('counts a sale posted before the end and refuses one posted during or after it, never half', async () => {
		const db = ctx.db;
		const { season: s, people } = bigSeason(db);
		// Another process's connection, failing at once on the lock instead of waiting for it.
		const other = openDatabase(ctx.path);
		other.$client.pragma('busy_timeout = 0');
		const sell = (on: Db, id: string, who: number, now: number) =>
			recordSale(
				on,
				{
					source: 'api',
					externalId: id,
					seller: { userId: people[who] },
					occurredAt: NOW - 1000,
					lines: [{ sku: 'PHONE', quantity: 40 }]
				},
				() => now
			);
		const salesOf = () =>
			db.get<{ n: number }>(sql`select count(*) as n from sale where season_id = ${s.id}`)!.n;

		// Past the end but not yet ended: a late post for the last minute still counts.
		sell(db, 'late-but-live', 11, NOW + 5);
		const count = salesOf();
		// During the end (inside its transaction) another process's sale cannot get in.
		let during: unknown;
		duringEnd = () => {
			try {
				sell(other, 'during', 12, NOW + 6);
			} catch (error) {
				during = error;
			}
		};
		expect(runScheduler(db, { clock: () => NOW + 6 }).map((t) => t.to)).toEqual(['ended']);
		expect(String(during)).toMatch(/SQLITE_BUSY|database is locked/);
		expect(salesOf()).toBe(count);
		// After it, the season is ended: refused, and the results stay as frozen.
		expect(() => sell(other, 'during', 12, NOW + 7)).toThrow(/not in a live season/);
		expect(() => sell(db, 'after', 13, NOW + 7)).toThrow(/not in a live season/);
		expect(salesOf()).toBe(count);

		const results = storedResults(db, s.id);
		expect(results).toEqual(referenceResults(db, s.id, NOW + 6));
		// The late sale (40 phones, pending: provisional points) is in person 11's result.
		const eleven = results.find((r) => r.subjectType === 'user' && r.subjectId === people[11])!;
		expect(eleven).toMatchObject({ provisionalPoints: 2000, salesCount: 1 });
		expect(
			results.find((r) => r.subjectId === people[12] && r.subjectType === 'user')
		).toBeTruthy();
		expect(db.select().from(season).where(eq(season.id, s.id)).get()!.status).toBe('ended');
		other.$client.close();
	});
});
