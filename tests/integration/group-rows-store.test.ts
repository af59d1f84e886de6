// A group of API sales (scoring/group-commit.ts) holds its new rows on PostgreSQL as an import's
// window does (scoring/sale-rows.ts): ids drawn for the group with its sellers' read ahead, the
// rows written in the group's last statement with its versions, days and standings; SQLite
// inserts them one by one. On both
// dialects each sale keeps its own lines and one ledger entry, a refused sale leaves the others,
// an id sent twice in one group is counted once (the second answered as its replay), a referral
// refers to its sale's row, a sale after the group takes fresh ids, and a group that loses its
// write (PostgreSQL) runs again with nothing of the lost run kept.
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import pg from 'pg';
import type { Store } from '../../src/lib/server/db/store';
import { onDomainEventInWrite } from '../../src/lib/server/notify/events';
import { recordSaleGrouped } from '../../src/lib/server/scoring/group-commit';
import type { RecordedSale, RecordSaleInput } from '../../src/lib/server/scoring/sales';
import { recordReferral } from '../../src/lib/server/referrals/record';
import { expectWhole, rowsOf } from '../helpers/held-rows';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { liveSeasonOn, phoneAndCaseOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('group-rows');
const NOW = 1_900_000_000_000;
const HOUR = 3_600_000;
const clock = () => NOW;

type Season = Awaited<ReturnType<typeof liveSeasonOn>>;

async function seasonOn(store: Store): Promise<Season> {
	const s = await liveSeasonOn(store, { size: 4, teams: ['North', 'South'], endsAt: NOW + HOUR });
	await phoneAndCaseOn(store, s.seasonId);
	return s;
}

/** Sale `i` of a group: a phone, with a case too when `i` is even; by person i % 4. */
function saleOf(s: Season, prefix: string, i: number, extra: Partial<RecordSaleInput> = {}) {
	const lines = [{ sku: 'PHONE', quantity: 1, unitPrice: 99_900 }];
	if (i % 2 === 0) lines.push({ sku: 'CASE', quantity: 2, unitPrice: 2_900 });
	return {
		source: 'api',
		externalId: `${prefix}-${i}`,
		seller: { email: s.people[i % 4].email },
		occurredAt: NOW - HOUR + i,
		lines,
		...extra
	} satisfies RecordSaleInput;
}

/** Records the inputs in one group (one turn of the event loop): each one's answer or error. */
function inOneGroup(store: Store, inputs: RecordSaleInput[]) {
	return Promise.all(
		inputs.map((input) =>
			recordSaleGrouped(store, input, clock).then(
				(recorded): { ok: RecordedSale } => ({ ok: recorded }),
				(error: unknown) => ({ error: error as { code?: string } })
			)
		)
	);
}

const range = (from: number, to: number) =>
	Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe.each(['sqlite', 'postgres'] as const)('a group of API sales on %s', (dialect) => {
	it('keeps each sale its rows: a refusal, an id sent twice and a referral in the middle', async () => {
		const [a, b] = nodes[dialect];
		const s = await seasonOn(a);
		const referred = await recordReferral(
			a,
			{
				requestId: `group-ref-${dialect}`,
				referrerId: s.people[0].id,
				customerName: 'Acme',
				customerRef: 'AC-7',
				contact: null,
				note: null
			},
			clock
		);
		// Ten sales of four sellers: the fourth of an unknown product (refused), the sixth naming
		// the referral's customer (the rows held so far are written before the referral refers to
		// its sale), and the third and the eighth sent again at the end (each a replay of the first,
		// counted once; the eighth's rows are still held when it comes again).
		const inputs: RecordSaleInput[] = range(1, 10).map((i) => saleOf(s, 'grp', i));
		inputs[3] = { ...inputs[3], lines: [{ sku: 'NOPE', quantity: 1, unitPrice: 100 }] };
		inputs[5] = { ...inputs[5], customerRef: 'ac 7' };
		inputs.push(saleOf(s, 'grp', 3), saleOf(s, 'grp', 8));
		const answers = await inOneGroup(a, inputs);

		expect(answers[3]).toEqual({ error: expect.objectContaining({ code: 'unknown_sku' }) });
		const created = answers.filter((x) => 'ok' in x && x.ok.created);
		expect(created).toHaveLength(9);
		for (const [again, first] of [
			[10, 2],
			[11, 7]
		]) {
			const { sale } = (answers[first] as { ok: RecordedSale }).ok;
			expect(answers[again]).toMatchObject({ ok: { created: false, sale } });
		}
		const rows = await rowsOf(b, s);
		expectWhole(rows, 'grp', [1, 2, 3, 5, 6, 7, 8, 9, 10]);
		// Each answer is its stored sale: its id and points.
		for (const [i, answer] of answers.entries()) {
			if (!('ok' in answer)) continue;
			const stored = rows.sales.find((r) => r.externalId === inputs[i].externalId)!;
			expect(answer.ok.sale).toMatchObject({ id: stored.id, points: stored.points });
		}
		const sixth = rows.sales.find((r) => r.externalId === 'grp-6')!;
		const { referral } = b.tables;
		const [row] = await b.db
			.select({ status: referral.status, matchedSaleId: referral.matchedSaleId })
			.from(referral)
			.where(eq(referral.id, referred.id));
		expect(row).toEqual({ status: 'confirmed', matchedSaleId: sixth.id });

		// A sale on the other node after the group: the sequences (SQLite's AUTOINCREMENT) go on
		// from the ids the group wrote.
		const [after] = await inOneGroup(b, [saleOf(s, 'after', 2)]);
		const next = await rowsOf(a, s);
		const max = (ids: { id: number }[]) => Math.max(...ids.map((r) => r.id));
		const id = (after as { ok: RecordedSale }).ok.sale.id;
		expect(id).toBeGreaterThan(max(rows.sales));
		const own = (r: { saleId: number | null }) => r.saleId === id;
		expect(next.lines.filter(own)).toHaveLength(2);
		expect(Math.min(...next.lines.filter(own).map((r) => r.id))).toBeGreaterThan(max(rows.lines));
		expect(next.entries.filter(own)).toHaveLength(1);
		expect(next.entries.find(own)!.id).toBeGreaterThan(max(rows.entries));
	});
});

describe('a group of API sales on postgres', () => {
	it("draws its ids in one statement and writes each table's rows in one", async () => {
		const [a] = nodes.postgres;
		const s = await seasonOn(a);
		const sent: string[] = [];
		const query = pg.Client.prototype.query;
		pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
			const first = args[0] as string | { text?: string };
			sent.push(typeof first === 'string' ? first : (first.text ?? ''));
			return (query as (...a: unknown[]) => unknown).apply(this, args);
		} as typeof query;
		try {
			const answers = await inOneGroup(
				a,
				range(1, 8).map((i) => saleOf(s, 'few', i))
			);
			expect(answers.every((x) => 'ok' in x && x.ok.created)).toBe(true);
		} finally {
			pg.Client.prototype.query = query;
		}
		const count = (pattern: RegExp) => sent.filter((text) => pattern.test(text)).length;
		// The ids drawn by the sellers' read ahead (its SQL, or EXECUTE of it with the write's
		// begin once the connection prepared it: db/store.ts openingQuery), by no statement of
		// their own; the rows written with the versions, days and standings
		// (WriteBatch.finishInWrite), each table once in that statement.
		expect(count(/left join lateral|execute sale_sellers_ahead_pg\(/)).toBe(1);
		expect(count(/nextval\(pg_get_serial_sequence/)).toBe(
			count(/left join lateral.*'sale_line', 'id'|'sale_line', 'id'.*left join lateral/)
		);
		const finish = sent.filter((text) => /^WITH first AS \(UPDATE season SET version/.test(text));
		expect(finish).toHaveLength(1);
		for (const table of ['sale', 'sale_line', 'ledger_entry'])
			expect(finish[0].split(`INSERT INTO ${table} (`)).toHaveLength(2);
		expect(count(/^insert into "?(sale|sale_line|ledger_entry)"? /i)).toBe(0);
		expectWhole(await rowsOf(a, s), 'few', range(1, 8));
	});

	it('that loses its write runs again with nothing of the lost run kept', async () => {
		const [a, b] = nodes.postgres;
		const s = await seasonOn(a);
		// The run loses at its fifth sale, as a serializable write loses to another writer (40001),
		// while its first sales' rows are held and not written yet: write() runs it again with a
		// fresh batch. A run that kept the lost run's rows or ids would write those sales twice.
		let confirmed = 0;
		const stop = onDomainEventInWrite(async (_tx, _store, event, data) => {
			if (event !== 'sale.confirmed' || (data as { seasonId: number }).seasonId !== s.seasonId)
				return;
			if (++confirmed === 5)
				throw Object.assign(new Error('could not serialize access'), { code: '40001' });
		});
		try {
			const answers = await inOneGroup(
				a,
				range(1, 12).map((i) => saleOf(s, 'lost', i))
			);
			expect(answers.every((x) => 'ok' in x && x.ok.created)).toBe(true);
			// The lost run's five (the fifth threw) and the second run's twelve.
			expect(confirmed).toBe(5 + 12);
			const rows = await rowsOf(b, s);
			expectWhole(rows, 'lost', range(1, 12));
			for (const [i, answer] of answers.entries())
				expect((answer as { ok: RecordedSale }).ok.sale.id).toBe(
					rows.sales.find((r) => r.externalId === `lost-${i + 1}`)!.id
				);
		} finally {
			stop();
		}
	});
});
