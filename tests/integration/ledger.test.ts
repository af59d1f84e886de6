// The sales service against a real database: ledger, standings and versions always agree.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import {
	makeContest,
	makeMember,
	makeTeam,
	makeUser,
	standingsVsLedger
} from '../helpers/factories';
import type { RecordSaleInput } from '../../src/lib/server/scoring/sales';
import { recordOn } from '../helpers/record-sale';
import { ledgerEntry, sale, season, seasonMember, standing } from '../../src/lib/server/db/schema';
import { readLeaderboard } from '../../src/lib/server/boards/leaderboard';
import { sqliteStore } from '../../src/lib/server/db/store';
import type { Db } from '../../src/lib/server/db';
import type { SaleSource } from '../../src/lib/server/db/schema';
import { AppError } from '../../src/lib/server/shared/errors';
import { mulberry32 } from '../../src/lib/seeded-random';

const DAY = 24 * 60 * 60 * 1000;
const POINTS: Record<string, number> = { PHONE: 50, CASE: 5 };

let ctx: ReturnType<typeof tempDb>;
let db: Db;

beforeEach(() => {
	ctx = tempDb();
	db = ctx.db;
});
afterEach(() => ctx.cleanup());

function standingOf(seasonId: number, type: 'user' | 'team', id: number) {
	return db
		.select()
		.from(standing)
		.where(
			and(
				eq(standing.seasonId, seasonId),
				eq(standing.subjectType, type),
				eq(standing.subjectId, id)
			)
		)
		.get();
}

function versionOf(seasonId: number) {
	return db.select({ v: season.version }).from(season).where(eq(season.id, seasonId)).get()!.v;
}

function count(table: typeof sale | typeof ledgerEntry) {
	return db
		.select({ n: sql<number>`count(*)` })
		.from(table)
		.get()!.n;
}

describe.each([7, 2024])('a random sequence of 360 sales (seed %i)', (seed) => {
	it('keeps standings == sum(ledger), sales counts and the version in step', async () => {
		const random = mulberry32(seed);
		const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
		const contest = await makeContest(db, { teams: 3, people: 9 });
		const seasonId = contest.season.id;
		const outsider = await makeUser(db);
		const now = Date.now();
		const clock = () => now;
		const teamOf = new Map(contest.people.map((p, i) => [p.id, contest.teams[i % 3].id]));

		const expected = {
			user: new Map<number, { points: number; sales: number }>(),
			team: new Map<number, { points: number; sales: number }>()
		};
		const add = (type: 'user' | 'team', id: number, points: number) => {
			const row = expected[type].get(id) ?? { points: 0, sales: 0 };
			expected[type].set(id, { points: row.points + points, sales: row.sales + 1 });
		};
		const recorded = new Map<string, { id: number; points: number }>();
		const sentInputs = new Map<string, RecordSaleInput>();
		const failedIds: string[] = [];
		let created = 0;
		let lines = 0;
		let duplicates = 0;
		let invalid = 0;

		const validLines = () =>
			Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
				sku: pick(['PHONE', 'CASE']),
				quantity: 1 + Math.floor(random() * 5)
			}));
		const inSeason = () => now - Math.floor(random() * 20 * DAY);

		type Invalid = [code: string, change: (input: RecordSaleInput) => RecordSaleInput];
		const invalidKinds: Invalid[] = [
			['unknown_sku', (i) => ({ ...i, lines: [...i.lines, { sku: 'NOPE', quantity: 1 }] })],
			['inactive_sku', (i) => ({ ...i, lines: [{ sku: 'OLD', quantity: 1 }, ...i.lines] })],
			['empty_sale', (i) => ({ ...i, lines: [] })],
			['unknown_seller', (i) => ({ ...i, seller: { email: 'ghost@test.test' } })],
			['unknown_seller', (i) => ({ ...i, seller: { userId: 999_999 } })],
			['not_a_member', (i) => ({ ...i, seller: { userId: outsider.id } })],
			['outside_season', (i) => ({ ...i, occurredAt: contest.season.startsAt - 1 })],
			['in_the_future', (i) => ({ ...i, occurredAt: now + DAY })]
		];

		for (let step = 0; step < 360; step++) {
			const seller = pick(contest.people);
			const roll = random();
			let input: RecordSaleInput = {
				source: 'api',
				externalId: `s${seed}-${step}`,
				seller: random() < 0.5 ? { userId: seller.id } : { email: seller.email.toUpperCase() },
				occurredAt: inSeason(),
				lines: validLines()
			};
			if (roll < 0.12 && recorded.size > 0) {
				// A retry of an earlier sale: the same sale replays the first result; other
				// content with its id is refused as an idempotency conflict and changes nothing.
				duplicates++;
				const externalId = pick([...recorded.keys()]);
				if (random() < 0.5) {
					const result = await recordOn(db, sentInputs.get(externalId)!, clock);
					expect(result.created).toBe(false);
					expect(result.sale).toMatchObject(recorded.get(externalId)!);
				} else {
					await expect(recordOn(db, { ...input, externalId }, clock)).rejects.toThrowError(
						expect.objectContaining({ code: 'idempotency_conflict', status: 409 })
					);
				}
				continue;
			}
			if (roll < 0.3) {
				invalid++;
				const [code, change] = pick(invalidKinds);
				await expect(recordOn(db, change(input), clock)).rejects.toThrowError(
					expect.objectContaining({ code, constructor: AppError })
				);
				failedIds.push(input.externalId);
				continue;
			}
			if (roll < 0.36 && failedIds.length > 0) {
				// An id that failed before is free to use.
				input = { ...input, externalId: failedIds.pop()! };
			}
			const result = await recordOn(db, input, clock);
			expect(result.created).toBe(true);
			const points = input.lines.reduce((s, l) => s + POINTS[l.sku] * l.quantity, 0);
			expect(result.sale).toEqual({ id: expect.any(Number), status: 'approved', points });
			created++;
			lines += input.lines.length;
			expect(result.version).toBe(created);
			recorded.set(input.externalId, result.sale);
			sentInputs.set(input.externalId, input);
			add('user', seller.id, points);
			add('team', teamOf.get(seller.id)!, points);
		}

		expect(created).toBeGreaterThan(200);
		expect(duplicates).toBeGreaterThan(10);
		expect(invalid).toBeGreaterThan(30);

		const { stored, fromLedger } = standingsVsLedger(db, seasonId);
		expect(stored).toEqual(fromLedger);
		for (const type of ['user', 'team'] as const) {
			for (const [id, { points, sales }] of expected[type]) {
				const row = standingOf(seasonId, type, id);
				expect(row, `${type} ${id}`).toMatchObject({
					confirmedPoints: points,
					provisionalPoints: 0,
					salesCount: sales
				});
			}
			expect(stored.filter((s) => s.type === type)).toHaveLength(expected[type].size);
		}
		// sales_count agrees with the sale table too, per person and per team.
		const perSeller = db.all<{ id: number; n: number }>(
			sql`select seller_id as id, count(*) as n from sale where season_id = ${seasonId} group by seller_id`
		);
		for (const { id, n } of perSeller) expect(standingOf(seasonId, 'user', id)!.salesCount).toBe(n);
		const perTeam = db.all<{ id: number; n: number }>(
			sql`select team_id as id, count(*) as n from sale where season_id = ${seasonId} group by team_id`
		);
		for (const { id, n } of perTeam) expect(standingOf(seasonId, 'team', id)!.salesCount).toBe(n);

		expect(count(sale)).toBe(created);
		expect(count(ledgerEntry)).toBe(created);
		expect(db.all(sql`select id from sale_line`)).toHaveLength(lines);
		expect(versionOf(seasonId)).toBe(created);

		// The leaderboard shows the same totals.
		const board = (await readLeaderboard(sqliteStore(db), seasonId))!;
		expect(board.version).toBe(created);
		for (const entry of board.individual) {
			expect(entry.points).toBe(expected.user.get(entry.id)?.points ?? 0);
		}
		for (const entry of board.teams)
			expect(entry.points).toBe(expected.team.get(entry.id)?.points ?? 0);
	});
});

describe('recording a sale', () => {
	it('gives provisional points in a season that requires confirmation', async () => {
		const contest = await makeContest(db, { requireConfirmation: true });
		const [seller] = contest.people;
		const result = await recordOn(db, {
			source: 'api',
			externalId: 'p-1',
			seller: { userId: seller.id },
			occurredAt: Date.now() - 1000,
			lines: [{ sku: 'PHONE', quantity: 2 }]
		});
		expect(result.sale).toEqual({ id: expect.any(Number), status: 'pending', points: 100 });
		const entry = db
			.select()
			.from(ledgerEntry)
			.where(eq(ledgerEntry.saleId, result.sale.id))
			.get()!;
		expect(entry).toMatchObject({ status: 'provisional', points: 100, kind: 'sale' });
		expect(standingOf(contest.season.id, 'user', seller.id)).toMatchObject({
			confirmedPoints: 0,
			provisionalPoints: 100,
			salesCount: 1
		});
		expect(standingOf(contest.season.id, 'team', contest.teams[0].id)).toMatchObject({
			confirmedPoints: 0,
			provisionalPoints: 100
		});
		const board = (await readLeaderboard(sqliteStore(db), contest.season.id))!;
		expect(board.individual.find((e) => e.id === seller.id)).toMatchObject({
			points: 0,
			provisionalPoints: 100
		});
		const { stored, fromLedger } = standingsVsLedger(db, contest.season.id);
		expect(stored).toEqual(fromLedger);
	});

	it("shares ids between the API and imports (the CRM's ids), but not with web sales", async () => {
		const contest = await makeContest(db);
		const [seller] = contest.people;
		const sources: SaleSource[] = ['api', 'import', 'web'];
		const occurredAt = Date.now() - 1000;
		const results = [];
		for (const source of sources)
			results.push(
				await recordOn(db, {
					source,
					externalId: 'shared-42',
					seller: { userId: seller.id },
					occurredAt,
					lines: [{ sku: 'CASE', quantity: 1 }]
				})
			);
		expect(results.map((r) => r.created)).toEqual([true, false, true]);
		expect(results[1].sale.id).toBe(results[0].sale.id);
		expect(new Set(results.map((r) => r.sale.id)).size).toBe(2);
		expect(count(sale)).toBe(2);
		expect(count(ledgerEntry)).toBe(2);
		expect(standingOf(contest.season.id, 'user', seller.id)).toMatchObject({
			confirmedPoints: 10,
			salesCount: 2
		});
		// …and a repeat by either integration path is the same sale again…
		const again = await recordOn(db, {
			source: 'import',
			externalId: 'shared-42',
			seller: { userId: seller.id },
			occurredAt,
			lines: [{ sku: 'CASE', quantity: 1 }]
		});
		expect(again).toMatchObject({ created: false, sale: results[1].sale });
		// …while other content with the same id is refused, whichever path sends it.
		await expect(
			recordOn(db, {
				source: 'import',
				externalId: 'shared-42',
				seller: { userId: seller.id },
				occurredAt,
				lines: [{ sku: 'PHONE', quantity: 1 }]
			})
		).rejects.toThrowError(expect.objectContaining({ code: 'idempotency_conflict' }));
		expect(count(sale)).toBe(2);
	});

	it('keeps earlier points with the old team when a member changes teams', async () => {
		const contest = await makeContest(db, { teams: 2, people: 2 });
		const seasonId = contest.season.id;
		const [teamA, teamB] = contest.teams;
		const mover = await makeMember(db, seasonId, teamA.id);
		const sell = (externalId: string, sku: string) =>
			recordOn(db, {
				source: 'api',
				externalId,
				seller: { userId: mover.id },
				occurredAt: Date.now() - 1000,
				lines: [{ sku, quantity: 1 }]
			});

		const first = await sell('move-1', 'PHONE');
		db.update(seasonMember)
			.set({ teamId: teamB.id })
			.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, mover.id)))
			.run();
		const second = await sell('move-2', 'CASE');

		const ledger = db.select().from(ledgerEntry).where(eq(ledgerEntry.userId, mover.id)).all();
		expect(ledger.map((e) => [e.saleId, e.teamId, e.points])).toEqual([
			[first.sale.id, teamA.id, 50],
			[second.sale.id, teamB.id, 5]
		]);
		const sales = db.select().from(sale).where(eq(sale.sellerId, mover.id)).all();
		expect(sales.map((s) => s.teamId)).toEqual([teamA.id, teamB.id]);
		expect(standingOf(seasonId, 'team', teamA.id)).toMatchObject({
			confirmedPoints: 50,
			salesCount: 1
		});
		expect(standingOf(seasonId, 'team', teamB.id)).toMatchObject({
			confirmedPoints: 5,
			salesCount: 1
		});
		expect(standingOf(seasonId, 'user', mover.id)).toMatchObject({
			confirmedPoints: 55,
			salesCount: 2
		});
		const { stored, fromLedger } = standingsVsLedger(db, seasonId);
		expect(stored).toEqual(fromLedger);
	});

	it('records a sale in the live season the seller belongs to, not in another live season', async () => {
		const first = await makeContest(db, { teams: 1, people: 1 });
		const second = await makeContest(db, { teams: 1, people: 1 });
		const result = await recordOn(db, {
			source: 'api',
			externalId: 'which-season',
			seller: { userId: second.people[0].id },
			occurredAt: Date.now() - 1000,
			lines: [{ sku: 'PHONE', quantity: 1 }]
		});
		expect(result.seasonId).toBe(second.season.id);
		expect(versionOf(first.season.id)).toBe(0);
		expect(versionOf(second.season.id)).toBe(1);
		expect(standingOf(first.season.id, 'team', first.teams[0].id)).toBeUndefined();
	});

	it('leaves nothing behind when a sale fails part-way (an unknown SKU on a later line)', async () => {
		const contest = await makeContest(db);
		const extra = makeTeam(db, contest.season.id);
		const seller = await makeMember(db, contest.season.id, extra.id);
		await expect(
			recordOn(db, {
				source: 'api',
				externalId: 'half',
				seller: { userId: seller.id },
				occurredAt: Date.now() - 1000,
				lines: [
					{ sku: 'PHONE', quantity: 1 },
					{ sku: 'GONE', quantity: 1 }
				]
			})
		).rejects.toThrow(AppError);
		expect(count(sale)).toBe(0);
		expect(count(ledgerEntry)).toBe(0);
		expect(db.select().from(standing).all()).toEqual([]);
		expect(versionOf(contest.season.id)).toBe(0);
	});
});
