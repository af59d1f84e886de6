// An import's window takes its own ledger entries into the badge facts as it held them
// (SaleRows.entries), without reading them back with their sales and categories: the facts must
// be the ones the read gives (a rebuild from the whole ledger), and the read must still happen
// when something else lies after the facts' cursor (a sale recorded without its badge step).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { tempDb } from '../helpers/db';
import {
	contestWithFactBadges,
	countEntryReads,
	factRows,
	rebuiltFactRows
} from '../helpers/held-facts';
import type { Db } from '../../src/lib/server/db';
import { importSales } from '../../src/lib/server/imports/sales';
import { recordOn } from '../helpers/record-sale';
import { mulberry32 } from '../../src/lib/seeded-random';

const DAY = 24 * 60 * 60 * 1000;

let ctx: ReturnType<typeof tempDb>;
let db: Db;
beforeEach(() => {
	ctx = tempDb();
	db = ctx.db;
});
afterEach(() => {
	vi.restoreAllMocks();
	ctx.cleanup();
});

/** A file of `sales` sales out of order over three weeks, one to three lines each. */
function file(people: { email: string }[], sales: number, seed: number, prefix = 'imp'): string {
	const random = mulberry32(seed);
	const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
	const rows = ['externalId,sellerEmail,occurredAt,sku,quantity,unitPrice'];
	const now = Date.now();
	for (let n = 1; n <= sales; n++) {
		const person = people[int(0, people.length - 1)];
		const at = new Date(Math.floor((now - int(1, 21 * 24) * (DAY / 24)) / 1000) * 1000);
		const lines = int(1, 3);
		for (let l = 0; l < lines; l++) {
			const sku = ['PHONE', 'CASE', 'WATCH', 'CASE'][int(0, 3)];
			rows.push(
				`${prefix}-${n},${person.email},${at.toISOString()},${sku},${int(1, 2)},${int(10, 900)}.00`
			);
		}
	}
	return rows.join('\n');
}

describe("an import window's badge facts", () => {
	it('are taken from the held entries, and equal the facts rebuilt from the ledger', async () => {
		// Before anything prepares the read (statements are prepared once per connection).
		const counter = countEntryReads(db.$client);
		const c = await contestWithFactBadges(db);
		const before = counter.reads;
		let windows = 0;
		const report = await importSales(db, file(c.people, 80, 1), {
			dryRun: false,
			actor: {},
			batchSize: 9,
			windowMs: null,
			parseThread: null,
			onProgress: (done) => {
				if (done > 0) windows += 1;
			}
		});
		expect(report.sales).toMatchObject({ new: 80, rejected: 0 });
		expect(windows).toBe(9);
		// No window read its own entries back (each of them did before).
		expect(counter.reads - before).toBe(0);
		const held = factRows(db);
		expect(held.badge_tally.length).toBeGreaterThan(0);
		expect(held.badge_day.length).toBeGreaterThan(0);
		expect(rebuiltFactRows(db)).toEqual(held);
	});

	it('are read when a sale recorded without its badge step lies after the cursor', async () => {
		const counter = countEntryReads(db.$client);
		const c = await contestWithFactBadges(db);
		await importSales(db, file(c.people, 20, 2), {
			dryRun: false,
			actor: {},
			batchSize: 10,
			windowMs: null,
			parseThread: null
		});
		// Sales through the API whose facts wait (no badge step): the next window must take them in.
		for (let i = 0; i < 3; i++)
			await recordOn(
				db,
				{
					source: 'api',
					externalId: `api-${i}`,
					seller: { email: c.people[i].email },
					occurredAt: Date.now() - (i + 1) * DAY,
					lines: [
						{ sku: 'CASE', quantity: 1, unitPrice: 2900 },
						{ sku: 'WATCH', quantity: 1, unitPrice: 9900 }
					]
				},
				undefined,
				{ awards: false }
			);
		const before = counter.reads;
		await importSales(db, file(c.people, 20, 3, 'more'), {
			dryRun: false,
			actor: {},
			batchSize: 10,
			windowMs: null,
			parseThread: null
		});
		// The first window read (the API sales before its own), the second did not.
		expect(counter.reads - before).toBe(1);
		const held = factRows(db);
		expect(rebuiltFactRows(db)).toEqual(held);
		const cursor = db.$client.prepare('SELECT ledger_id AS id FROM badge_cursor').get();
		const last = db.$client.prepare('SELECT max(id) AS id FROM ledger_entry').get();
		expect(cursor).toEqual(last);
	});
});
