// Group commit (scoring/group-commit.ts): the API's sales that arrive in one turn of the event
// loop share a transaction. Each request must still get its own answer — its sale, its refusal,
// or the replay of a sale already stored — and the database must hold each sale once, exactly as
// recording them one by one would.
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest, standingsVsLedger } from '../helpers/factories';
import { recordSaleGrouped } from '../../src/lib/server/scoring/group-commit';
import { sqliteStore } from '../../src/lib/server/db/store';
import { type RecordSaleInput } from '../../src/lib/server/scoring/sales';
import { AppError } from '../../src/lib/server/shared/errors';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

async function contest() {
	const ctx = tempDb();
	cleanups.push(ctx.cleanup);
	return { db: ctx.db, contest: await makeContest(ctx.db, { teams: 2, people: 5 }) };
}

const settle = (promise: Promise<unknown>) =>
	promise.then(
		(recorded) => ({ ok: recorded as { created: boolean; sale: { id: number } } }),
		(error: unknown) => ({ error })
	);

describe('sales sent together to the API', () => {
	it('are answered one by one: stored once each, a refusal alone, a repeat as a replay', async () => {
		const { db, contest: c } = await contest();
		const now = Date.now();
		const sale = (i: number, sku = 'PHONE'): RecordSaleInput => ({
			source: 'api',
			externalId: `gc-${i}`,
			seller: { userId: c.people[i % c.people.length].id },
			occurredAt: now - i * 1000,
			lines: [{ sku, quantity: 1, unitPrice: 2900 }]
		});
		// 150 requests in one turn of the loop: more than one group (128 at most), one sale with an
		// unknown product, and gc-3 sent three times.
		const inputs = Array.from({ length: 147 }, (_, i) => sale(i));
		inputs.push(sale(200, 'NOPE'), sale(3), sale(3));
		const answers = await Promise.all(
			inputs.map((input) => settle(recordSaleGrouped(sqliteStore(db), input)))
		);

		const refused = answers.filter((a) => 'error' in a);
		expect(refused).toHaveLength(1);
		expect((refused[0] as { error: unknown }).error).toBeInstanceOf(AppError);
		const created = answers.filter((a) => 'ok' in a && a.ok.created);
		expect(created).toHaveLength(147);
		// The repeats are answered with the stored sale, not a second one.
		const first = answers[3] as { ok: { sale: { id: number } } };
		for (const repeat of answers.slice(148)) {
			expect(repeat).toMatchObject({ ok: { created: false, sale: { id: first.ok.sale.id } } });
		}

		// Then a group whose ids are each sent once (read together, prefetchReplaysInWrite): two
		// stored before, two new; the stored ones are replays, not a failed group.
		const again = await Promise.all(
			[sale(5), sale(300), sale(146), sale(301)].map((input) =>
				settle(recordSaleGrouped(sqliteStore(db), input))
			)
		);
		expect(again.map((a) => ('ok' in a ? a.ok.created : a.error))).toEqual([
			false,
			true,
			false,
			true
		]);
		expect(again[0]).toMatchObject({
			ok: { sale: { id: (answers[5] as typeof first).ok.sale.id } }
		});

		const count = (query: ReturnType<typeof sql>) => (db.get(query) as { n: number }).n;
		expect(count(sql`select count(*) as n from sale`)).toBe(149);
		expect(count(sql`select count(*) as n from sale where external_id = 'gc-3'`)).toBe(1);
		expect(count(sql`select count(*) as n from ledger_entry where kind = 'sale'`)).toBe(149);
		const { stored, fromLedger } = standingsVsLedger(db, c.season.id);
		expect(stored).toEqual(fromLedger);
	});

	it('a sale refused in a group changes nothing, and the next group records normally', async () => {
		const { db, contest: c } = await contest();
		const seller = { userId: c.people[0].id };
		const bad = await settle(
			recordSaleGrouped(sqliteStore(db), {
				source: 'api',
				externalId: 'gc-bad',
				seller,
				occurredAt: Date.now(),
				lines: [{ sku: 'NOPE', quantity: 1 }]
			})
		);
		expect(bad).toHaveProperty('error');
		expect((db.get(sql`select count(*) as n from sale`) as { n: number }).n).toBe(0);
		const good = await settle(
			recordSaleGrouped(sqliteStore(db), {
				source: 'api',
				externalId: 'gc-good',
				seller,
				occurredAt: Date.now(),
				lines: [{ sku: 'PHONE', quantity: 2 }]
			})
		);
		expect(good).toMatchObject({ ok: { created: true } });
		const { stored, fromLedger } = standingsVsLedger(db, c.season.id);
		expect(stored).toEqual(fromLedger);
	});

	// Under load the requests of one round of answers come back over several turns of the loop:
	// they share a write (one version bump for the season) instead of one write each.
	it('gathers the sales that keep arriving over the next turns of the loop into one write', async () => {
		const { db, contest: c } = await contest();
		const store = sqliteStore(db);
		const sale = (i: number): RecordSaleInput => ({
			source: 'api',
			externalId: `gc-turn-${i}`,
			seller: { userId: c.people[i % c.people.length].id },
			occurredAt: Date.now() - i * 1000,
			lines: [{ sku: 'PHONE', quantity: 1, unitPrice: 2900 }]
		});
		const sent: Promise<{ version: number }>[] = [];
		// The second sale comes a turn after the first, the third a turn after that.
		setImmediate(() => {
			sent.push(recordSaleGrouped(store, sale(2)));
			setImmediate(() => sent.push(recordSaleGrouped(store, sale(3))));
		});
		sent.push(recordSaleGrouped(store, sale(1)));
		// Two turns: the third sale is sent by then.
		await new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
		const versions = (await Promise.all(sent)).map((recorded) => recorded.version);
		expect(versions).toHaveLength(3);
		expect(new Set(versions).size).toBe(1);

		// A lone sale is written without waiting for more: its own version.
		const lone = await recordSaleGrouped(store, sale(4));
		expect(lone.version).toBe(versions[0] + 1);
	});
});
