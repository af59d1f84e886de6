// A WriteBatch (scoring/write-batch.ts) records many sales in one transaction and writes the
// standings, the day totals and the season's version once at the end; with `rows` (an import's
// window) it also holds the sales' own rows and writes them many per statement. Whatever it
// holds, the database after the batch must equal the one the per-sale path (recordOn: each sale
// its own write on the store) leaves:
// the same sales, lines and ledger (with the same ids), standings, person_day, dashboard
// rollups and confirmed referrals; refused sales change nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { makeContest, standingsVsLedger } from '../helpers/factories';
import { addDailyCapRules, closeTempDbs, openTempDb } from '../helpers/daily-caps';
import { mulberry32 } from '../../src/lib/seeded-random';
import { recordSaleInWrite, type RecordSaleInput } from '../../src/lib/server/scoring/sales';
import { SaleLookups } from '../../src/lib/server/scoring/sale-lookups';
import { WriteBatch } from '../../src/lib/server/scoring/write-batch';
import { season } from '../../src/lib/server/db/schema';
import { recordReferral } from '../../src/lib/server/referrals/record';
import { sqliteStore, write } from '../../src/lib/server/db/store';
import { recordOn } from '../helpers/record-sale';
import { AppError } from '../../src/lib/server/shared/errors';
import type { Db } from '../../src/lib/server/db';

const HOUR = 60 * 60 * 1000;
afterEach(closeTempDbs);

/** The same contest in a fresh database: ids come out the same in each. */
async function contestDb(timeZone: string) {
	const db = openTempDb();
	const contest = await makeContest(db, { teams: 3, people: 7 });
	const seasonId = contest.season.id;
	db.update(season).set({ timeZone, maxSalePoints: 600 }).where(eq(season.id, seasonId)).run();
	// Without the basket bonus: at 29.00 a unit, no basket here would reach it.
	addDailyCapRules(db, seasonId, { bigBasket: false });
	// A customer's open referral: the first confirmed sale naming the customer confirms it.
	await recordReferral(sqliteStore(db), {
		requestId: 'wb-referral',
		referrerId: contest.people[1].id,
		customerName: 'Acme',
		customerRef: 'AC-7',
		contact: null,
		note: null
	});
	return { db, contest };
}

/** 'ok', or the code of the AppError that refused the sale. */
async function outcomeOf(record: () => unknown): Promise<string> {
	try {
		await record();
		return 'ok';
	} catch (error) {
		if (!(error instanceof AppError)) throw error;
		return error.code;
	}
}

/**
 * Records `inputs` in one write with a WriteBatch (the store's body, recordSaleInWrite: a refusal
 * writes nothing, so it needs no savepoint); returns each sale's outcome. With `holdRows` the
 * batch holds the sales' rows as an import's window does, written by its finishInWrite.
 */
async function recordInBatch(
	db: Db,
	inputs: RecordSaleInput[],
	now: number,
	holdRows: boolean
): Promise<string[]> {
	const writes = new WriteBatch({ rows: holdRows });
	const lookups = new SaleLookups();
	const outcomes: string[] = [];
	const store = sqliteStore(db);
	await write(store, async (tx) => {
		for (const input of inputs)
			outcomes.push(
				await outcomeOf(() => recordSaleInWrite(tx, store, input, now, lookups, writes))
			);
		await writes.finishInWrite(tx, store, now);
	});
	return outcomes;
}

/** What the two paths must agree on (times of writing and the version left out). */
function state(db: Db) {
	const rows = (query: ReturnType<typeof sql>) => db.all(query);
	return {
		sales: rows(
			sql`select id, external_id, seller_id, team_id, occurred_at, amount, customer_ref, status, points, flag_reason, breakdown from sale order by external_id`
		),
		lines: rows(
			sql`select l.id, s.external_id, l.product_id, l.quantity, l.unit_price, l.points from sale_line l join sale s on s.id = l.sale_id order by 2, 3, 4`
		),
		ledger: rows(
			sql`select e.id, s.external_id, e.user_id, e.team_id, e.kind, e.points, e.status, e.breakdown from ledger_entry e left join sale s on s.id = e.sale_id order by 1`
		),
		referrals: rows(sql`select id, status, matched_sale_id, ledger_entry_id from referral`),
		sequences: rows(
			sql`select name, seq from sqlite_sequence where name in ('sale', 'sale_line', 'ledger_entry') order by 1`
		),
		standings: rows(
			sql`select subject_type, subject_id, confirmed_points, provisional_points, sales_count from standing order by 1, 2`
		),
		days: rows(sql`select * from person_day order by season_id, user_id, day`),
		slots: rows(sql`select * from dashboard_slot order by season_id, slot, team_id`),
		productDays: rows(
			sql`select * from dashboard_product_day order by season_id, day, team_id, product_id`
		),
		dashboardLines: rows(
			sql`select d.season_id, d.product_id, d.occurred_at, d.line_id, s.external_id, d.team_id, d.quantity, d.points from dashboard_line d join sale s on s.id = d.sale_id order by 5, 2, 7`
		)
	};
}

describe.each([
	[7, 'Europe/Amsterdam', false],
	[2026, 'Pacific/Auckland', false],
	[7, 'Europe/Amsterdam', true],
	[2026, 'Pacific/Auckland', true]
])('sales recorded in batches (seed %i, %s, rows held: %s)', (seed, timeZone, holdRows) => {
	it('leave the database as recording them one by one does', async () => {
		const random = mulberry32(seed);
		const one = await contestDb(timeZone);
		const batched = await contestDb(timeZone);
		const people = one.contest.people;
		const now = Date.now();
		const clock = () => now;

		const inputs: RecordSaleInput[] = Array.from({ length: 240 }, (_, i) => {
			const refused = random() < 0.05;
			return {
				source: 'import',
				externalId: `wb-${seed}-${i}`,
				seller: { userId: people[Math.floor(random() * people.length)].id },
				// Three days, so that sales share days and cross local midnights.
				occurredAt: now - Math.floor(random() * 72 * HOUR),
				lines: Array.from({ length: 1 + Math.floor(random() * 2) }, () => ({
					// An unknown SKU: refused, and the rest of its batch counts.
					sku: refused ? 'NOPE' : random() < 0.5 ? 'PHONE' : 'CASE',
					quantity: 1 + Math.floor(random() * 4),
					unitPrice: 2900
				})),
				// Some name a customer; the referred one's first confirmed sale confirms the referral.
				customerRef: random() < 0.1 ? (random() < 0.5 ? 'ac 7' : `C-${i}`) : null
			};
		});
		// One sale above maxSalePoints whatever the day's cap left (13 phones: 650 points before any
		// bonus), so that a flagged sale is always among them; the random ones reach it only on
		// some days, depending on the clock.
		inputs.splice(120, 0, {
			source: 'import',
			externalId: `wb-${seed}-big`,
			seller: { userId: people[0].id },
			occurredAt: now - 2 * HOUR,
			lines: [{ sku: 'PHONE', quantity: 13, unitPrice: 2900 }]
		});
		// Some sales sent twice: the second is a replay, counted once.
		inputs.push(...inputs.slice(10, 20));

		const perSale: string[] = [];
		for (const input of inputs)
			perSale.push(await outcomeOf(() => recordOn(one.db, input, clock, { awards: false })));

		const inBatches: string[] = [];
		for (let start = 0; start < inputs.length; start += 37) {
			const batch = inputs.slice(start, start + 37);
			inBatches.push(...(await recordInBatch(batched.db, batch, now, holdRows)));
		}

		expect(inBatches).toEqual(perSale);
		expect(perSale.filter((o) => o !== 'ok').length).toBeGreaterThan(3);
		// The referral was confirmed by a sale of the batches (its row written before it).
		expect(state(one.db).referrals).toEqual([
			expect.objectContaining({ status: 'confirmed', matched_sale_id: expect.any(Number) })
		]);
		expect(state(batched.db)).toEqual(state(one.db));
		const seasonId = batched.contest.season.id;
		const { stored, fromLedger } = standingsVsLedger(batched.db, seasonId);
		expect(stored).toEqual(fromLedger);
		// A flagged sale (above maxSalePoints) waits for a manager in both.
		expect(
			state(batched.db).sales.some((s) => (s as { status: string }).status === 'pending')
		).toBe(true);
		// One version per batch, and it moved.
		const version = (db: Db) =>
			db.select({ v: season.version }).from(season).where(eq(season.id, seasonId)).get()!.v;
		expect(version(batched.db)).toBeGreaterThan(0);
	});
});
