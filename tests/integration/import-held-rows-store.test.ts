// An import's window holds its sales' rows and writes them many per statement on both dialects
// (scoring/sale-rows.ts; #20 step 3): on PostgreSQL their ids are drawn from the sequences
// (db/many-rows.ts drawIdsInWrite). Each sale keeps its own lines and ledger entry, the ids are
// unique and a sale recorded after the import gets a fresh one; a window that fails mid-way
// leaves nothing of it, and one that loses its write (PostgreSQL) and is written in halves
// writes nothing of the run it lost.
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import { onDomainEventInWrite } from '../../src/lib/server/notify/events';
import { importSalesOn } from '../../src/lib/server/imports/sales';
import { recordSaleGrouped } from '../../src/lib/server/scoring/group-commit';
import { recordReferral } from '../../src/lib/server/referrals/record';
import { expectWhole, rowsOf } from '../helpers/held-rows';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { liveSeasonOn, phoneAndCaseOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('import-held-rows');
const NOW = 1_900_000_000_000;
const HOUR = 3_600_000;
const clock = () => NOW;

type Season = Awaited<ReturnType<typeof liveSeasonOn>>;

async function seasonOn(store: Store): Promise<Season> {
	const s = await liveSeasonOn(store, { size: 4, teams: ['North', 'South'], endsAt: NOW + HOUR });
	await phoneAndCaseOn(store, s.seasonId);
	return s;
}

/** `sales` sales, every second with a case too, and every ninth of an unknown SKU (refused). */
function fileOf(s: Season, prefix: string, sales: number): string {
	const at = new Date(NOW - HOUR).toISOString();
	const lines = ['externalId,sellerEmail,occurredAt,sku,quantity,unitPrice'];
	for (let i = 1; i <= sales; i++) {
		const seller = s.people[i % 4].email;
		lines.push(`${prefix}-${i},${seller},${at},${i % 9 === 0 ? 'NOPE' : 'PHONE'},1,999`);
		if (i % 2 === 0) lines.push(`${prefix}-${i},${seller},${at},CASE,2,29`);
	}
	return lines.join('\n');
}

/** The file's sales numbered 1…n that are counted (fileOf: every ninth has an unknown product). */
const countedOf = (n: number) =>
	Array.from({ length: n }, (_, k) => k + 1).filter((k) => k % 9 !== 0);

const options = { dryRun: false, actor: {}, clock, windowMs: null, parseThread: null } as const;

describe.each(['sqlite', 'postgres'] as const)('held rows of an import on %s', (dialect) => {
	it("each sale's rows are its own, ids unique, and a sale after the import gets a fresh id", async () => {
		const [a, b] = nodes[dialect];
		const s = await seasonOn(a);
		const report = await importSalesOn(a, fileOf(s, 'held', 40), { ...options, batchSize: 7 });
		expect(report.sales).toEqual({ new: 36, duplicate: 0, rejected: 4 });
		const rows = await rowsOf(b, s);
		expectWhole(rows, 'held', countedOf(40));

		// Through the API on the other node: the sequences (SQLite's AUTOINCREMENT) go on from the
		// ids the windows wrote, and its own rows take the next ones.
		const after = await recordSaleGrouped(
			b,
			{
				source: 'api',
				externalId: 'held-api-1',
				seller: { email: s.people[1].email },
				occurredAt: NOW - HOUR,
				lines: [
					{ sku: 'PHONE', quantity: 1, unitPrice: 99_900 },
					{ sku: 'CASE', quantity: 1, unitPrice: 2_900 }
				]
			},
			clock
		);
		const next = await rowsOf(a, s);
		const max = (ids: { id: number }[]) => Math.max(...ids.map((r) => r.id));
		expect(after.sale.id).toBeGreaterThan(max(rows.sales));
		const own = (r: { saleId: number | null }) => r.saleId === after.sale.id;
		expect(next.lines.filter(own)).toHaveLength(2);
		expect(Math.min(...next.lines.filter(own).map((r) => r.id))).toBeGreaterThan(max(rows.lines));
		expect(next.entries.filter(own)).toHaveLength(1);
		expect(next.entries.find(own)!.id).toBeGreaterThan(max(rows.entries));
	});
});

describe.each(['sqlite', 'postgres'] as const)('a referral in an import on %s', (dialect) => {
	it("its customer's sale confirms it mid-window; the sales held before and after it are written once", async () => {
		const [a, b] = nodes[dialect];
		const s = await seasonOn(a);
		const referred = await recordReferral(
			a,
			{
				requestId: `held-ref-${dialect}`,
				referrerId: s.people[0].id,
				customerName: 'Acme',
				customerRef: 'AC-7',
				contact: null,
				note: null
			},
			clock
		);
		// The third sale names the customer: the window's rows held so far are written before the
		// referral refers to its sale, the rest when the window ends.
		const at = new Date(NOW - HOUR).toISOString();
		const csv = [
			'externalId,sellerEmail,occurredAt,sku,quantity,unitPrice,customerRef',
			...[1, 2, 3, 4, 5, 6].flatMap((i) => {
				const sale = `ref-${i},${s.people[i % 4].email},${at}`;
				const phone = `${sale},PHONE,1,999,${i === 3 ? 'ac 7' : ''}`;
				return i % 2 === 0 ? [phone, `${sale},CASE,2,29,`] : [phone];
			})
		].join('\n');
		const report = await importSalesOn(a, csv, {
			...options,
			batchSize: 10,
			mapping: { customerRef: 'customerRef' }
		});
		expect(report.sales).toEqual({ new: 6, duplicate: 0, rejected: 0 });
		const rows = await rowsOf(b, s);
		expectWhole(rows, 'ref', countedOf(6));
		const third = rows.sales.find((r) => r.externalId === 'ref-3')!;
		const { referral } = b.tables;
		const [row] = await b.db
			.select({ status: referral.status, matchedSaleId: referral.matchedSaleId })
			.from(referral)
			.where(eq(referral.id, referred.id));
		expect(row).toEqual({ status: 'confirmed', matchedSaleId: third.id });
	});
});

describe.each(['sqlite', 'postgres'] as const)('a window that fails mid-way on %s', (dialect) => {
	it('leaves nothing of it, and the same file again writes each sale once', async () => {
		const [a, b] = nodes[dialect];
		const s = await seasonOn(a);
		// The second window (sales 11-20) fails at its fifth counted sale, its first sales' rows
		// held or written: the import stops there, its first window committed.
		let confirmed = 0;
		const stop = onDomainEventInWrite(async (_tx, _store, event, data) => {
			if (event !== 'sale.confirmed' || (data as { seasonId: number }).seasonId !== s.seasonId)
				return;
			if (++confirmed === 9 + 5) throw new Error('the disk is full');
		});
		try {
			await expect(
				importSalesOn(a, fileOf(s, 'failed', 30), { ...options, batchSize: 10 })
			).rejects.toThrow('the disk is full');
		} finally {
			stop();
		}
		const firstWindow = countedOf(10);
		expectWhole(await rowsOf(b, s), 'failed', firstWindow);

		const again = await importSalesOn(a, fileOf(s, 'failed', 30), { ...options, batchSize: 10 });
		expect(again.sales).toEqual({
			new: countedOf(30).length - firstWindow.length,
			duplicate: firstWindow.length,
			rejected: 3
		});
		expectWhole(await rowsOf(b, s), 'failed', countedOf(30));
	});
});

describe('held rows of an import on postgres, a window that loses its write', () => {
	it('is written in halves, with nothing of the run it lost', async () => {
		const [a, b] = nodes.postgres;
		const s = await seasonOn(a);
		// The first window's run loses at its fifth sale, as a serializable write loses to another
		// writer (40001), while its first sales' rows are held and not written yet: write() runs
		// it again, and the import writes it in two halves. A run that kept the lost run's rows or
		// ids would write those sales twice.
		let confirmed = 0;
		const stop = onDomainEventInWrite(async (_tx, _store, event, data) => {
			if (event !== 'sale.confirmed' || (data as { seasonId: number }).seasonId !== s.seasonId)
				return;
			if (++confirmed === 5)
				throw Object.assign(new Error('could not serialize access'), { code: '40001' });
		});
		let windows = 0;
		try {
			const report = await importSalesOn(a, fileOf(s, 'lost', 30), {
				...options,
				batchSize: 10,
				onWindow: () => void windows++
			});
			// The first window's two halves, then two more windows.
			expect(windows).toBe(4);
			expect(report.sales).toEqual({ new: 27, duplicate: 0, rejected: 3 });
		} finally {
			stop();
		}
		expectWhole(await rowsOf(b, s), 'lost', countedOf(30));
	});
});
