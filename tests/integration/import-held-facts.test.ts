// An import's window takes its own ledger entries into the badge facts as it held them
// (SaleRows.entries), without reading them back with their sales and categories: the facts must
// be the ones the read gives (a rebuild from the whole ledger), and the read must still happen
// when something else lies after the facts' cursor (a sale recorded without its badge step).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type Database from 'better-sqlite3';
import { tempDb } from '../helpers/db';
import { makeContest, makeProduct } from '../helpers/factories';
import type { Db } from '../../src/lib/server/db';
import { importSales } from '../../src/lib/server/imports/sales';
import { recordSale } from '../../src/lib/server/scoring/sales';
import { catchUpFacts, clearFacts } from '../../src/lib/server/badges/facts';
import { createBadge } from '../../src/lib/server/badges/commands';
import { reevaluationsSettled } from '../../src/lib/server/badges/reevaluate';
import { mulberry32 } from '../../src/lib/seeded-random';

const DAY = 24 * 60 * 60 * 1000;
const FACT_TABLES = ['badge_tally', 'badge_day', 'badge_week', 'badge_period', 'badge_cursor'];

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

/** Every row of the badge facts' tables, in a stable order. */
function facts(): Record<string, unknown[]> {
	const out: Record<string, unknown[]> = {};
	for (const table of FACT_TABLES)
		out[table] = db.$client
			.prepare(`SELECT * FROM ${table}`)
			.all()
			.map((row) => JSON.stringify(row))
			.sort();
	return out;
}

/** The facts as the read gives them: thrown away and rebuilt from the whole ledger. */
function rebuiltFacts(): Record<string, unknown[]> {
	db.transaction((tx) => {
		clearFacts(tx);
		catchUpFacts(tx);
	});
	return facts();
}

/** Counts the runs of the facts' read of the entries after the cursor (SQL.entries). */
function countEntryReads(client: Database.Database): { reads: number } {
	const counter = { reads: 0 };
	const prepare = client.prepare.bind(client);
	vi.spyOn(client, 'prepare').mockImplementation(((source: string) => {
		const statement = prepare(source);
		if (!source.includes('FROM ledger_entry e LEFT JOIN sale s')) return statement;
		const all = statement.all.bind(statement);
		statement.all = ((...args: unknown[]) => {
			counter.reads += 1;
			return all(...args);
		}) as typeof statement.all;
		return statement;
	}) as typeof client.prepare);
	return counter;
}

async function contest() {
	const c = await makeContest(db, { teams: 3, people: 6 });
	// A third category, and sales whose lines repeat one: categories are counted once a sale.
	makeProduct(db, c.season.id, { sku: 'WATCH', category: 'Wearables', points: 30 });
	const actor = { userId: null };
	for (const [name, criterion] of [
		['First sale', { kind: 'first_sale' }],
		['Two cases', { kind: 'sales_count', count: 2, category: 'Accessories' }],
		['Cross-seller', { kind: 'cross_sells', count: 2 }],
		['Two days', { kind: 'streak', days: 2 }],
		['Record', { kind: 'record_sale' }],
		['Team 900', { kind: 'team_target', target: 900 }]
	] as const)
		await createBadge(
			db,
			c.season.id,
			{ name, criterion, emoji: '🏅', description: '', points: 0, active: true },
			actor
		);
	await reevaluationsSettled(db);
	return c;
}

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
		const c = await contest();
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
		const held = facts();
		expect(held.badge_tally.length).toBeGreaterThan(0);
		expect(held.badge_day.length).toBeGreaterThan(0);
		expect(rebuiltFacts()).toEqual(held);
	});

	it('are read when a sale recorded without its badge step lies after the cursor', async () => {
		const counter = countEntryReads(db.$client);
		const c = await contest();
		await importSales(db, file(c.people, 20, 2), {
			dryRun: false,
			actor: {},
			batchSize: 10,
			windowMs: null,
			parseThread: null
		});
		// Sales through the API whose facts wait (no badge step): the next window must take them in.
		for (let i = 0; i < 3; i++)
			recordSale(
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
		const held = facts();
		expect(rebuiltFacts()).toEqual(held);
		const cursor = db.$client.prepare('SELECT ledger_id AS id FROM badge_cursor').get();
		const last = db.$client.prepare('SELECT max(id) AS id FROM ledger_entry').get();
		expect(cursor).toEqual(last);
	});
});
