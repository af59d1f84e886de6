// The record-sale check as one seek (hb-record): badge_record, kept by triggers on sale, holds
// a season's sales that count and are bigger than every earlier one, and `isRecordSale` reads
// the entry just before a sale. After every step of seeded random sequences (amounts and instants
// that tie, back-dated sales, confirmations, rejections, reversals, and writes no command makes:
// a sale moved in time, its amount changed, a sale deleted) the table holds exactly the running
// maximum recomputed from the sales, `isRecordSale` answers for every sale what the rule answers
// (an earlier sale at least as big, or none at all, makes it no record), and the record awards it
// leads to are the full evaluation's (`evaluate`, contest/badges).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq, inArray } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest } from '../helpers/factories';
import type { Db } from '../../src/lib/server/db';
import { sale, season, team, user } from '../../src/lib/server/db/schema';
import { recordOn } from '../helpers/record-sale';
import { reviewSales } from '../../src/lib/server/scoring/review';
import { reevaluationsSettled } from '../../src/lib/server/badges/reevaluate';
import { isRecordSale } from '../../src/lib/server/badges/facts';
import { evaluate, type SaleFact } from '../../src/lib/contest/badges';
import { dayKeyOf } from '../../src/lib/contest/zone-calendar';
import { mulberry32 } from '../../src/lib/seeded-random';
import { sqliteStore } from '../../src/lib/server/db/store';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

let ctx: ReturnType<typeof tempDb>;
let db: Db;
beforeEach(() => {
	ctx = tempDb();
	db = ctx.db;
});
afterEach(() => ctx.cleanup());

/** The season's sales that count, in (time, id) order, read straight from the sales. */
function countedSales(seasonId: number): SaleFact[] {
	return db
		.select()
		.from(sale)
		.where(and(eq(sale.seasonId, seasonId), inArray(sale.status, ['pending', 'approved'])))
		.all()
		.map((s) => ({
			saleId: s.id,
			userId: s.sellerId,
			teamId: s.teamId,
			occurredAt: s.occurredAt,
			amount: s.amount,
			points: s.points,
			categories: [],
			crossSell: false
		}))
		.sort((a, b) => a.occurredAt - b.occurredAt || a.saleId - b.saleId);
}

/** The running maximum recomputed: each sale bigger than every one before it. */
function expectedFrontier(sales: SaleFact[]) {
	const out: { occurredAt: number; saleId: number; amount: number }[] = [];
	for (const f of sales)
		if (out.length === 0 || f.amount > out[out.length - 1].amount)
			out.push({ occurredAt: f.occurredAt, saleId: f.saleId, amount: f.amount });
	return out;
}

function storedFrontier(seasonId: number) {
	return db.$client
		.prepare(
			`SELECT occurred_at AS occurredAt, sale_id AS saleId, amount FROM badge_record
			WHERE season_id = ? ORDER BY occurred_at, sale_id`
		)
		.all(seasonId);
}

function check(step: string, seasonId: number, seen: { records: number; ties: number }) {
	const sales = countedSales(seasonId);
	expect(storedFrontier(seasonId), `${step}: badge_record`).toEqual(expectedFrontier(sales));
	const s = db.select().from(season).where(eq(season.id, seasonId)).get()!;
	const mine = new Map<number, SaleFact[]>();
	for (const [i, f] of sales.entries()) {
		// The rule, sale by sale: an earlier sale at least as big (or none at all) rules it out.
		const earlier = sales.slice(0, i);
		const want = earlier.length > 0 && earlier.every((e) => e.amount < f.amount);
		if (earlier.some((e) => e.amount === f.amount)) seen.ties += 1;
		expect(isRecordSale(db, f, seasonId), `${step}: sale ${f.saleId}`).toBe(want);
		if (want) mine.set(f.userId, [...(mine.get(f.userId) ?? []), f]);
	}
	// The awards the per-sale answers lead to (the first record of a local day) are the full
	// evaluation's, person by person.
	const badgeCtx = { now: Date.now() + DAY, timeZone: s.timeZone, holidays: [] };
	for (const userId of new Set(sales.map((f) => f.userId))) {
		const got: { periodKey: string; at: number; saleId: number }[] = [];
		for (const f of mine.get(userId) ?? []) {
			const day = dayKeyOf(f.occurredAt, s.timeZone);
			if (got.at(-1)?.periodKey !== day)
				got.push({ periodKey: day, at: f.occurredAt, saleId: f.saleId });
		}
		seen.records += got.length;
		expect(got, `${step}: user ${userId}`).toEqual(
			evaluate({ kind: 'record_sale' }, { kind: 'user', id: userId }, sales, badgeCtx)
		);
	}
}

async function randomSequence(seed: number, steps: number) {
	const random = mulberry32(seed);
	const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
	const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
	const contest = await makeContest(db, { teams: 3, people: 6, requireConfirmation: true });
	const seasonId = contest.season.id;
	const now = Date.now();
	const clock = () => now;
	const actor = { userId: null };
	const withStatus = (...statuses: string[]) =>
		db
			.select({ id: sale.id })
			.from(sale)
			.where(and(eq(sale.seasonId, seasonId), inArray(sale.status, statuses as never[])))
			.all()
			.map((r) => r.id);
	// Few prices and few instants, so that amounts and times tie often; every sale back-dated
	// at random over three weeks, so most arrive before sales already there.
	const instants = Array.from({ length: 10 }, () => now - int(0, 20) * DAY - int(0, 3) * HOUR);
	const prices = [500, 800, 1000, 1200, 1500, 2000, 2500];
	const seen = { records: 0, ties: 0, moved: 0 };
	let n = 0;
	for (let step = 0; step < steps; step++) {
		const roll = random();
		if (roll < 0.6) {
			const occurredAt =
				random() < 0.35 ? pick(instants) : now - int(0, 20 * 24) * HOUR - int(0, 59) * 60_000;
			await recordOn(
				db,
				{
					source: 'api',
					externalId: `r${seed}-${++n}`,
					seller: { email: pick(contest.people).email },
					occurredAt,
					lines: [{ sku: 'PHONE', quantity: int(1, 2), unitPrice: pick(prices) * 100 }]
				},
				clock,
				{ awards: false }
			);
		} else if (roll < 0.72) {
			const pending = withStatus('pending');
			if (pending.length > 0)
				await reviewSales(sqliteStore(db), [pick(pending)], { decision: 'confirm', actor }, clock);
		} else if (roll < 0.9) {
			const pending = withStatus('pending');
			const approved = withStatus('approved');
			const reject = random() < 0.5 && pending.length > 0;
			const pool = reject ? pending : approved.length > 0 ? approved : pending;
			if (pool.length > 0)
				await reviewSales(
					sqliteStore(db),
					[pick(pool)],
					{ decision: reject ? 'reject' : 'reverse', actor, reason: 'Test' },
					clock
				);
			await reevaluationsSettled(sqliteStore(db));
		} else {
			// Writes no command makes, straight in SQL: the triggers keep the table for any writer.
			const any = withStatus('pending', 'approved', 'rejected', 'reversed');
			if (any.length > 0) {
				const id = pick(any);
				const kind = int(0, 4);
				// Often a record itself: taking one out is what reads the sales after it.
				const records = storedFrontier(seasonId) as { saleId: number }[];
				if (kind === 0)
					db.$client
						.prepare(`UPDATE sale SET occurred_at = ? WHERE id = ?`)
						.run(pick(instants), id);
				else if (kind === 1)
					db.$client.prepare(`UPDATE sale SET amount = ? WHERE id = ?`).run(pick(prices) * 100, id);
				else if (kind === 2)
					db.$client.prepare(`UPDATE sale SET status = 'approved' WHERE id = ?`).run(id);
				else if (kind === 3 && records.length > 0)
					db.$client
						.prepare(`UPDATE sale SET status = 'rejected' WHERE id = ?`)
						.run(pick(records).saleId);
				else {
					db.$client.prepare(`DELETE FROM sale_line WHERE sale_id = ?`).run(id);
					db.$client.prepare(`DELETE FROM ledger_entry WHERE sale_id = ?`).run(id);
					db.$client.prepare(`DELETE FROM sale WHERE id = ?`).run(id);
				}
				seen.moved += 1;
			}
		}
		check(`seed ${seed} step ${step}`, seasonId, seen);
	}
	return seen;
}

describe('the record-sale check from badge_record', () => {
	it.each([11, 12, 13, 14])(
		'equals the rule and the full evaluation after every step (seed %i)',
		async (seed) => {
			const seen = await randomSequence(seed, 90);
			// The sequences had records, ties with earlier sales and direct writes to compare.
			expect(seen.records).toBeGreaterThan(10);
			expect(seen.ties).toBeGreaterThan(10);
			expect(seen.moved).toBeGreaterThan(3);
		}
	);

	it('takes a record out: the sales it kept from being records become records', () => {
		const { seasonId, userId, teamId } = seedSeason();
		const insert = db.$client.prepare(
			`INSERT INTO sale (id, season_id, source, external_id, seller_id, team_id, occurred_at,
			amount, status, points) VALUES (?, ?, 'api', ?, ?, ?, ?, ?, 'approved', 0)`
		);
		for (const [id, at, amount] of [
			[1, 10, 100],
			[2, 20, 300],
			[3, 30, 200],
			[4, 30, 250],
			[5, 40, 250],
			[6, 50, 400],
			[7, 60, 350]
		])
			insert.run(id, seasonId, `t${id}`, userId, teamId, at, amount);
		const frontier = () => (storedFrontier(seasonId) as { saleId: number }[]).map((r) => r.saleId);
		const steps: [string, number[]][] = [
			[`UPDATE sale SET status = 'rejected' WHERE id = 2`, [1, 3, 4, 6]],
			[`UPDATE sale SET status = 'reversed' WHERE id = 4`, [1, 3, 5, 6]],
			[`UPDATE sale SET status = 'approved' WHERE id = 2`, [1, 2, 6]],
			[`DELETE FROM sale WHERE id = 6`, [1, 2, 7]],
			[`UPDATE sale SET occurred_at = 5 WHERE id = 2`, [2, 7]],
			[`UPDATE sale SET amount = 50 WHERE id = 2`, [2, 1, 3, 5, 7]],
			[`UPDATE sale SET status = 'pending' WHERE id = 2`, [2, 1, 3, 5, 7]],
			[`DELETE FROM sale WHERE id = 2`, [1, 3, 5, 7]]
		];
		expect(frontier()).toEqual([1, 2, 6]);
		for (const [write, want] of steps) {
			db.$client.exec(write);
			expect(frontier(), write).toEqual(want);
			expect(storedFrontier(seasonId), write).toEqual(expectedFrontier(countedSales(seasonId)));
		}
	});

	it('follows statements of many rows (an import window, a review of many sales)', () => {
		const { seasonId, userId, teamId } = seedSeason();
		const random = mulberry32(21);
		const statuses = ['pending', 'approved', 'approved', 'rejected'];
		const values = Array.from({ length: 300 }, (_, i) => {
			const at = Math.floor(random() * 40) * 1000;
			const amount = (1 + Math.floor(random() * 30)) * 100;
			const status = statuses[Math.floor(random() * statuses.length)];
			return `(${seasonId}, 'import', 'w${i}', ${userId}, ${teamId}, ${at}, ${amount}, '${status}', 0)`;
		});
		const writes = [
			`INSERT INTO sale (season_id, source, external_id, seller_id, team_id, occurred_at, amount,
				status, points) VALUES ${values.join(', ')}`,
			`UPDATE sale SET status = 'reversed' WHERE season_id = ${seasonId} AND id % 3 = 0`,
			`UPDATE sale SET status = 'approved' WHERE season_id = ${seasonId} AND id % 5 = 0`,
			`UPDATE sale SET occurred_at = occurred_at + 7000 WHERE season_id = ${seasonId} AND id % 4 = 1`,
			`DELETE FROM sale WHERE season_id = ${seasonId} AND id % 7 = 2`
		];
		for (const write of writes) {
			db.$client.exec(write);
			const want = expectedFrontier(countedSales(seasonId));
			expect(want.length, write).toBeGreaterThan(2);
			expect(storedFrontier(seasonId), write).toEqual(want);
		}
	});

	it('is one seek of badge_record, not a walk of the sales', () => {
		const plan = db.$client
			.prepare(
				`EXPLAIN QUERY PLAN SELECT amount FROM badge_record WHERE season_id = ?
				AND (occurred_at, sale_id) < (?, ?) ORDER BY occurred_at DESC, sale_id DESC LIMIT 1`
			)
			.all(1, 0, 0) as { detail: string }[];
		expect(plan.map((p) => p.detail)).toEqual([
			'SEARCH badge_record USING PRIMARY KEY (season_id=? AND (occurred_at,sale_id)<(?,?))'
		]);
	});

	it('is built from the sales already there when the migration runs', () => {
		// The migration's fill, run again on a season whose table was emptied, gives the same rows.
		const insert = (id: number, at: number, amount: number, status: string) =>
			db.$client
				.prepare(
					`INSERT INTO sale (id, season_id, source, external_id, seller_id, team_id, occurred_at,
					amount, status, points) VALUES (?, ?, 'api', ?, ?, ?, ?, ?, ?, 0)`
				)
				.run(id, seasonId, `m${id}`, userId, teamId, at, amount, status);
		const { seasonId, userId, teamId } = seedSeason();
		const rows: [number, number, number, string][] = [
			[101, 5, 300, 'approved'],
			[102, 1, 200, 'pending'],
			[103, 1, 200, 'approved'],
			[104, 3, 500, 'rejected'],
			[105, 4, 300, 'approved'],
			[106, 9, 900, 'reversed'],
			[107, 8, 400, 'approved']
		];
		for (const r of rows) insert(...r);
		const kept = storedFrontier(seasonId);
		expect(kept).toEqual([
			{ occurredAt: 1, saleId: 102, amount: 200 },
			{ occurredAt: 4, saleId: 105, amount: 300 },
			{ occurredAt: 8, saleId: 107, amount: 400 }
		]);
		db.$client.prepare(`DELETE FROM badge_record`).run();
		const fill = /-- The records of the sales already there\.\n([\s\S]*)$/.exec(MIGRATION)![1];
		db.$client.exec(fill);
		expect(storedFrontier(seasonId)).toEqual(kept);
	});
});

const MIGRATION = readFileSync(resolve('drizzle/0027_badge_record_frontier.sql'), 'utf8');

function seedSeason() {
	const s = db
		.insert(season)
		.values({
			name: 'Fill',
			theme: { primary: '#123456', accent: '#654321', emoji: '🌱', tagline: '' },
			startsAt: 0,
			endsAt: DAY
		})
		.returning()
		.get();
	const u = db
		.insert(user)
		.values({ email: 'fill@demo.test', displayName: 'Fill', passwordHash: '!' })
		.returning()
		.get();
	const t = db.insert(team).values({ seasonId: s.id, name: 'Red' }).returning().get();
	return { seasonId: s.id, userId: u.id, teamId: t.id };
}
