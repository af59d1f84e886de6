// A group of API sales takes its own ledger entries into the badge facts as it wrote them
// (WriteBatch.entries), without reading them back with their sales and categories: the facts
// must be the ones the read gives (a rebuild from the whole ledger), with no entry missed or
// taken twice (a refused sale in the middle of a group, a replay, a person twice in a group), and
// the read must still happen when something else lies after the facts' cursor.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { tempDb } from '../helpers/db';
import {
	contestWithFactBadges,
	countEntryReads,
	factRows,
	rebuiltFactRows
} from '../helpers/held-facts';
import type { Db } from '../../src/lib/server/db';
import type { RecordSaleInput } from '../../src/lib/server/scoring/sales';
import { recordOn } from '../helpers/record-sale';
import { recordSaleGrouped } from '../../src/lib/server/scoring/group-commit';
import { sqliteStore } from '../../src/lib/server/db/store';
import { reevaluateOnStore } from '../../src/lib/server/badges/reevaluate';
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

/** `sales` API sales out of order over ten days, one to three lines each. */
function sales(people: { email: string }[], count: number, seed: number, prefix: string) {
	const random = mulberry32(seed);
	const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
	const now = Date.now();
	return Array.from({ length: count }, (_, n): RecordSaleInput => {
		const lines = Array.from({ length: int(1, 3) }, () => ({
			sku: ['PHONE', 'CASE', 'WATCH', 'CASE'][int(0, 3)],
			quantity: int(1, 2),
			unitPrice: int(1_000, 90_000)
		}));
		return {
			source: 'api',
			externalId: `${prefix}-${n}`,
			seller: { email: people[int(0, people.length - 1)].email },
			occurredAt: now - int(1, 10 * 24) * (DAY / 24),
			lines
		};
	});
}

/** Sends the sales as one group (all in the same turn of the event loop). */
const group = (inputs: RecordSaleInput[]) =>
	Promise.allSettled(inputs.map((input) => recordSaleGrouped(sqliteStore(db), input)));

describe("a group of API sales' badge facts", () => {
	it('are taken from the entries it wrote, and equal the facts rebuilt from the ledger', async () => {
		// Before anything prepares the read (statements are prepared once per connection).
		const counter = countEntryReads(db.$client);
		const c = await contestWithFactBadges(db);
		const before = counter.reads;
		const first = sales(c.people, 12, 1, 'a');
		// A refused sale (no such product) in the middle: its entry's id is given again.
		first.splice(5, 0, {
			...first[0],
			externalId: 'refused',
			lines: [{ sku: 'NOPE', quantity: 1 }]
		});
		const answers = await group(first);
		expect(answers.filter((a) => a.status === 'rejected')).toHaveLength(1);
		// A second group: two sales sent again (replays: no new entry) among new ones.
		const second = [...sales(c.people, 10, 2, 'b'), first[1], first[7]];
		const replays = await group(second);
		expect(replays.every((a) => a.status === 'fulfilled')).toBe(true);
		expect(replays.slice(-2).map((a) => a.status === 'fulfilled' && a.value.created)).toEqual([
			false,
			false
		]);
		await group(sales(c.people, 16, 3, 'c'));
		// No group read its own entries back (each of them did before).
		expect(counter.reads - before).toBe(0);
		const held = factRows(db);
		expect(held.badge_tally.length).toBeGreaterThan(0);
		expect(held.badge_day.length).toBeGreaterThan(0);
		expect(rebuiltFactRows(db)).toEqual(held);
		const cursor = db.$client.prepare('SELECT ledger_id AS id FROM badge_cursor').get();
		const last = db.$client.prepare('SELECT max(id) AS id FROM ledger_entry').get();
		expect(cursor).toEqual(last);
		// The awards decided from them are what a full re-evaluation gives.
		const changes = await reevaluateOnStore(sqliteStore(db), c.season.id);
		expect(changes.awarded).toEqual([]);
		expect(changes.withdrawn).toEqual([]);
	});

	it('are read when a sale recorded without its badge step lies after the cursor', async () => {
		const counter = countEntryReads(db.$client);
		const c = await contestWithFactBadges(db);
		await group(sales(c.people, 8, 4, 'a'));
		// A sale whose facts wait (no badge step): the next group must take it in too.
		await recordOn(db, sales(c.people, 1, 5, 'alone')[0], undefined, { awards: false });
		const before = counter.reads;
		await group(sales(c.people, 8, 6, 'b'));
		await group(sales(c.people, 8, 7, 'c'));
		// The first group read (the lone sale before its own), the second did not.
		expect(counter.reads - before).toBe(1);
		const held = factRows(db);
		expect(rebuiltFactRows(db)).toEqual(held);
		const cursor = db.$client.prepare('SELECT ledger_id AS id FROM badge_cursor').get();
		const last = db.$client.prepare('SELECT max(id) AS id FROM ledger_entry').get();
		expect(cursor).toEqual(last);
	});
});
