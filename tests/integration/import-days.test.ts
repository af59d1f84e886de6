// An import's window reads the sellers' days its sales fall on in two queries
// (WriteBatch.prefetchDays: the person_day rows, then the counted sales of the days without one)
// instead of one or two reads a sale. The points must stay those of the read per sale: the same
// file recorded sale by sale (recordSale, which reads each day itself) into a copy of the
// database must give the same sales and the same days, with days that have a row, days that
// have sales but no row (some of them rejected: not counted), new days, several sales of one
// day in one window, and refused rows among them.
import { afterEach, describe, expect, it } from 'vitest';
import { eq, inArray, sql } from 'drizzle-orm';
import { makeContest } from '../helpers/factories';
import {
	addDailyCapRules,
	closeTempDbs,
	mulberry32,
	openTempDb,
	personDaysVsRecomputed
} from '../helpers/daily-caps';
import { importSales } from '../../src/lib/server/imports/sales';
import { recordSale } from '../../src/lib/server/scoring/sales';
import { AppError } from '../../src/lib/server/shared/errors';
import { personDay, sale, season } from '../../src/lib/server/db/schema';
import { dayKeyOf } from '../../src/lib/server/scoring/person-day';
import type { Db } from '../../src/lib/server/db';

afterEach(closeTempDbs);

const HOUR = 3_600_000;
const TIME_ZONE = 'Pacific/Auckland';

interface FileSale {
	externalId: string;
	/** The seller: a person of the contest, by index (each database has its own emails). */
	person: number;
	occurredAt: number;
	lines: { sku: string; quantity: number; unitPrice: number }[];
}

/** The same contest and sales before the import in each database (same ids). */
async function before(db: Db, now: number) {
	const random = mulberry32(4242);
	const c = await makeContest(db, { teams: 2, people: 4 });
	db.update(season).set({ timeZone: TIME_ZONE }).where(eq(season.id, c.season.id)).run();
	addDailyCapRules(db, c.season.id);
	const ids: number[] = [];
	for (let i = 0; i < 40; i++) {
		const seller = c.people[Math.floor(random() * c.people.length)];
		const result = recordSale(
			db,
			{
				source: 'api',
				externalId: `before-${i}`,
				seller: { userId: seller.id },
				occurredAt: now - Math.floor(random() * 72) * HOUR,
				lines: [{ sku: random() < 0.5 ? 'PHONE' : 'CASE', quantity: 1, unitPrice: 99900 }]
			},
			() => now,
			{ awards: false }
		);
		ids.push(result.sale.id);
	}
	// Some sales rejected, their days' rows dropped with half of the others: those days are
	// summed from their counted sales, the rest read from their row.
	const rejected = ids.filter((_, i) => i % 6 === 0);
	db.update(sale).set({ status: 'rejected' }).where(inArray(sale.id, rejected)).run();
	const rejectedDays = db
		.select({ userId: sale.sellerId, occurredAt: sale.occurredAt })
		.from(sale)
		.where(inArray(sale.id, rejected))
		.all()
		.map((s) => dayKeyOf(c.season.id, s.userId, s.occurredAt, TIME_ZONE));
	for (const key of rejectedDays)
		db.delete(personDay)
			.where(
				sql`${personDay.seasonId} = ${key.seasonId} AND ${personDay.userId} = ${key.userId} AND ${personDay.day} = ${key.day}`
			)
			.run();
	db.delete(personDay)
		.where(sql`(${personDay.userId} + ${personDay.day} / 3600000) % 2 = 0`)
		.run();
	return c;
}

function fileSales(people: number, now: number): FileSale[] {
	const random = mulberry32(7);
	const sales: FileSale[] = [];
	for (let i = 0; i < 60; i++) {
		const lines = Array.from({ length: 1 + Math.floor(random() * 2) }, () => {
			const sku = random() < 0.5 ? 'PHONE' : 'CASE';
			return {
				sku,
				quantity: 1 + Math.floor(random() * 3),
				unitPrice: sku === 'PHONE' ? 99900 : 2900
			};
		});
		// Every tenth sale names a product that does not exist: refused, with its day read.
		if (i % 10 === 9) lines[0].sku = 'NOPE';
		sales.push({
			externalId: `file-${i}`,
			person: Math.floor(random() * people),
			// Four days: the three of the sales before and one new.
			occurredAt: now - Math.floor(random() * 96) * HOUR,
			lines
		});
	}
	return sales;
}

const contents = (db: Db) => ({
	sales: db
		.select({
			externalId: sale.externalId,
			status: sale.status,
			points: sale.points,
			breakdown: sale.breakdown
		})
		.from(sale)
		.orderBy(sale.externalId)
		.all(),
	days: db.select().from(personDay).orderBy(personDay.userId, personDay.day).all()
});

describe('the days of an import window, read ahead', () => {
	it('score as the read per sale does', async () => {
		const now = Math.floor(Date.now() / HOUR) * HOUR - 1000;
		const imported = openTempDb();
		const oneByOne = openTempDb();
		const c = await before(imported, now);
		const other = await before(oneByOne, now);
		const sales = fileSales(c.people.length, now);

		const csv = [
			'externalId,sellerEmail,occurredAt,sku,quantity,unitPrice',
			...sales.flatMap((s) =>
				s.lines.map(
					(l) =>
						`${s.externalId},${c.people[s.person].email},${new Date(s.occurredAt).toISOString()},${l.sku},${l.quantity},${l.unitPrice / 100}`
				)
			)
		].join('\n');
		// Windows of seven sales: a seller's day comes back within a window and across windows.
		const report = await importSales(imported, csv, {
			dryRun: false,
			actor: {},
			batchSize: 7,
			clock: () => now
		});

		let refused = 0;
		for (const s of sales) {
			try {
				recordSale(
					oneByOne,
					{
						source: 'import',
						externalId: s.externalId,
						seller: { email: other.people[s.person].email },
						occurredAt: s.occurredAt,
						lines: s.lines
					},
					() => now,
					{ awards: false }
				);
			} catch (error) {
				if (!(error instanceof AppError)) throw error;
				refused += 1;
			}
		}
		expect(refused).toBe(6);
		expect(report.sales).toEqual({ new: 54, duplicate: 0, rejected: 6 });

		const got = contents(imported);
		expect(got).toEqual(contents(oneByOne));
		// The daily rules did apply: some sale got the first-sale bonus, some did not.
		const bonus = (b: unknown) => JSON.stringify(b).includes('First sale');
		const fromFile = got.sales.filter((s) => s.externalId.startsWith('file-'));
		expect(fromFile.some((s) => bonus(s.breakdown))).toBe(true);
		expect(fromFile.some((s) => !bonus(s.breakdown))).toBe(true);
		const { stored, recomputed } = personDaysVsRecomputed(imported, c.season.id, TIME_ZONE);
		expect(stored).toEqual(recomputed);
	});
});
