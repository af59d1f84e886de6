import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tempDb } from '../helpers/db';
import { openDatabase } from '../../src/lib/server/db';
import { makeContest } from '../helpers/factories';
import type { Db } from '../../src/lib/server/db';
import { rule } from '../../src/lib/server/db/schema';
import { importSales } from '../../src/lib/server/imports/sales';
import { recordOn } from '../helpers/record-sale';
import { AppError } from '../../src/lib/server/shared/errors';

let a: ReturnType<typeof tempDb>;
beforeEach(() => (a = tempDb()));
afterEach(() => a.cleanup());

/** An exact copy of a database (same ids and emails), for running another path on it. */
function copyOf(db: Db) {
	const dir = mkdtempSync(join(tmpdir(), 'honorboard-copy-'));
	const path = join(dir, 'copy.db');
	db.$client.exec(`VACUUM INTO '${path}'`);
	const copy = openDatabase(path);
	return {
		db: copy,
		cleanup: () => (copy.$client.close(), rmSync(dir, { recursive: true, force: true }))
	};
}

async function contest(db: Db) {
	const c = await makeContest(db, { teams: 3, people: 12 });
	db.insert(rule)
		.values({
			seasonId: c.season.id,
			name: 'Cross-sell',
			target: { kind: 'category', category: 'Phones' },
			effect: { kind: 'cross_sell_multiplier', withCategory: 'Accessories', factor: 3 }
		})
		.run();
	return c;
}

type Line = {
	externalId: string;
	sellerEmail: string;
	occurredAt: string;
	sku: string;
	quantity: string;
	unitPrice: string;
};

/** ~10,000 lines of sales over the last days; every 20th line is broken in one of several ways. */
function makeFile(emails: string[], lines = 10_000) {
	const rows: Line[] = [];
	let sale = 0;
	while (rows.length < lines) {
		sale += 1;
		const at = new Date(Date.now() - (sale % 500) * 60 * 60 * 1000).toISOString();
		const seller = emails[sale % emails.length];
		rows.push({
			externalId: `crm-${sale}`,
			sellerEmail: seller,
			occurredAt: at,
			sku: 'PHONE',
			quantity: String(1 + (sale % 3)),
			unitPrice: '999.00'
		});
		if (sale % 2 === 0)
			rows.push({
				externalId: `crm-${sale}`,
				sellerEmail: seller,
				occurredAt: at,
				sku: 'CASE',
				quantity: '1',
				unitPrice: '29.00'
			});
	}
	rows.length = lines;
	const breakers: ((r: Line) => void)[] = [
		(r) => (r.quantity = '0'),
		(r) => (r.sku = 'NOPE'),
		(r) => (r.sellerEmail = 'stranger@test.test'),
		(r) => (r.occurredAt = 'last tuesday'),
		(r) => (r.unitPrice = '-5'),
		(r) => (r.sku = 'OLD')
	];
	rows.forEach((r, i) => {
		if (i % 20 === 7) breakers[((i / 20) % breakers.length) | 0](r);
	});
	const csv = [
		'externalId,sellerEmail,occurredAt,sku,quantity,unitPrice',
		...rows.map((r) => Object.values(r).join(','))
	].join('\n');
	return { csv, rows };
}

const standings = (db: Db) =>
	db.all(
		sql`select subject_type, subject_id, confirmed_points, provisional_points, sales_count from standing order by 1, 2`
	);
const counts = (db: Db) =>
	db.get(
		sql`select (select count(*) from sale) as sales, (select count(*) from ledger_entry) as ledger, (select count(*) from sale_line) as lines`
	);

describe('bulk import of sales', () => {
	it('10,000 rows with 5 % bad: dry run, commit = the API path, re-import counts nothing', async () => {
		const ca = await contest(a.db);
		const b = copyOf(a.db);
		const { csv, rows } = makeFile(ca.people.map((p) => p.email));
		const actor = { userId: null };

		const before = counts(a.db);
		const dry = await importSales(a.db, csv, { dryRun: true, actor });
		expect(counts(a.db)).toEqual(before); // a dry run writes nothing
		expect(dry.rows).toBe(10_000);
		expect(dry.rejected).toBeGreaterThan(500); // 5 % bad lines, plus the other lines of their sales
		expect(dry.accepted + dry.rejected).toBe(10_000);
		expect(dry.errors.every((e) => e.row > 0 && e.column && e.message)).toBe(true);
		expect(dry.errors.find((e) => e.row === 8)).toMatchObject({ column: 'quantity' });

		const committed = await importSales(a.db, csv, { dryRun: false, actor, batchSize: 400 });
		expect({ ...committed, dryRun: true, results: [] }).toEqual({ ...dry, results: [] }); // the dry run predicted it exactly
		expect(committed.sales.new).toBeGreaterThan(5000);

		// The same sales through the API path, one by one, give the same standings.
		const groups = new Map<string, Line[]>();
		const bad = new Set(dry.errors.map((e) => e.row));
		rows.forEach((r, i) => {
			if (!bad.has(i + 1)) groups.set(r.externalId, [...(groups.get(r.externalId) ?? []), r]);
		});
		let viaApi = 0;
		for (const [externalId, lines] of groups) {
			try {
				await recordOn(
					b.db,
					{
						source: 'api',
						externalId,
						seller: { email: lines[0].sellerEmail },
						occurredAt: Date.parse(lines[0].occurredAt),
						lines: lines.map((l) => ({
							sku: l.sku,
							quantity: Number(l.quantity),
							unitPrice: Math.round(Number(l.unitPrice) * 100)
						}))
					},
					undefined,
					{ awards: false }
				);
				viaApi += 1;
			} catch (error) {
				if (!(error instanceof AppError)) throw error;
			}
		}
		expect(viaApi).toBe(committed.sales.new);
		expect(standings(a.db)).toEqual(standings(b.db));

		// Uploading the same file again changes nothing.
		const after = counts(a.db);
		const again = await importSales(a.db, csv, { dryRun: false, actor });
		expect(again.sales).toMatchObject({ new: 0, duplicate: committed.sales.new });
		expect(counts(a.db)).toEqual(after);
		expect(standings(a.db)).toEqual(standings(b.db));
		b.cleanup();
	}, 300_000);

	it.each([
		{
			title: 'a missing column',
			csv: 'externalId,sellerEmail,sku,quantity,unitPrice\nx,a@b.c,PHONE,1,1',
			column: 'occurredAt',
			message: /missing/
		},
		{
			title: 'lines of one sale that disagree on the seller',
			csv: 'externalId,sellerEmail,occurredAt,sku,quantity,unitPrice\nx,{0},2026-11-20T10:00:00Z,PHONE,1,1\nx,{1},2026-11-20T10:00:00Z,CASE,1,1',
			column: 'sellerEmail',
			message: /disagree/
		},
		{
			// The second line's cell is not the first's: its own instant is compared.
			title: 'lines of one sale that disagree on the time',
			csv: 'externalId,sellerEmail,occurredAt,sku,quantity,unitPrice\nx,{0},2026-11-20T10:00:00Z,PHONE,1,1\nx,{0},2026-11-20T10:01:00Z,CASE,1,1',
			column: 'occurredAt',
			message: /disagree/
		}
	])('reports $title and imports nothing', async ({ csv, column, message }) => {
		const c = await contest(a.db);
		const text = csv.replaceAll('{0}', c.people[0].email).replace('{1}', c.people[1].email);
		const report = await importSales(a.db, text, { dryRun: false, actor: {} });
		expect(report.errors[0]).toMatchObject({ column });
		expect(report.errors[0].message).toMatch(message);
		expect(counts(a.db)).toMatchObject({ sales: 0 });
	});

	it('honours a column mapping', async () => {
		const c = await contest(a.db);
		const csv = `Order,Rep,When,Item,Qty,Price\nA1,${c.people[0].email},${new Date(Date.now() - 1000).toISOString()},PHONE,2,999`;
		const report = await importSales(a.db, csv, {
			dryRun: false,
			actor: {},
			mapping: {
				externalId: 'Order',
				sellerEmail: 'Rep',
				occurredAt: 'When',
				sku: 'Item',
				quantity: 'Qty',
				unitPrice: 'Price'
			}
		});
		expect(report).toMatchObject({
			rows: 1,
			accepted: 1,
			rejected: 0,
			sales: { new: 1 },
			points: 100
		});
	});
});
