// Large files stream: the report keeps exact totals with a capped list of errors (every error is
// in the CSV file on disk), a refused sale in the middle of a batch leaves the rest of the batch
// stored, a re-upload counts duplicates, and a job's messages are in the language it was started in.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDb } from '../helpers/db';
import { makeContest } from '../helpers/factories';
import { importSales } from '../../src/lib/server/imports/sales';
import { ERRORS_KEPT, errorsFilePath } from '../../src/lib/server/imports/report-sink';

let a: ReturnType<typeof tempDb>;
beforeEach(() => (a = tempDb()));
afterEach(() => a.cleanup());

const HEADER = 'externalId,sellerEmail,occurredAt,sku,quantity,unitPrice';
const saleCount = (db: typeof a.db) =>
	(db.$client.prepare('select count(*) as n from sale').get() as { n: number }).n;

describe('streaming imports', () => {
	it('50,000 rows from a file on disk: exact totals, a capped report, every error on disk', async () => {
		const c = await makeContest(a.db, { people: 2 });
		const p = c.people[0].email;
		const at = new Date(c.season.startsAt + 3_600_000).toISOString();
		// One row in 250 is a good sale; the others have a quantity that is not a number (cheap to
		// refuse: they never reach scoring, so the test stays fast on a busy machine).
		const lines = [HEADER];
		for (let i = 1; i <= 50_000; i++)
			lines.push(`big-${i},${p},${at},PHONE,${i % 250 === 0 ? 1 : 'x'},999`);
		const path = join(tmpdir(), `import-stream-${process.pid}.csv`);
		writeFileSync(path, lines.join('\n'));
		const errorsFile = errorsFilePath();
		try {
			const report = await importSales(
				a.db,
				{ path },
				{ dryRun: false, actor: {}, errorsFile, batchSize: 100 }
			);
			expect(report.rows).toBe(50_000);
			expect(report.sales.new).toBe(200);
			expect(report.accepted).toBe(200);
			expect(report.rejected).toBe(49_800);
			expect(report.rejectedBy).toEqual({ not_whole: 49_800 });
			expect(report.errorsTotal).toBe(49_800);
			expect(report.errors).toHaveLength(ERRORS_KEPT);
			expect(report.errors[0]).toMatchObject({ row: 1, column: 'quantity' });
			expect(report.resultsTotal).toBe(50_000);
			expect(report.results.length).toBeLessThanOrEqual(1000);
			const written = readFileSync(errorsFile, 'utf8').trim().split('\r\n');
			expect(written).toHaveLength(1 + 49_800);
			expect(written[1]).toBe('1,quantity,quantity must be a whole number');
			expect(saleCount(a.db)).toBe(200);
		} finally {
			rmSync(path, { force: true });
			rmSync(errorsFile, { force: true });
		}
	}, 120_000);

	it('a refused sale in the middle of a batch refuses only its rows; a re-upload counts duplicates', async () => {
		const c = await makeContest(a.db, { people: 2 });
		const p = c.people[0].email;
		const at = new Date(c.season.startsAt + 3_600_000).toISOString();
		const lines = [HEADER];
		for (let i = 1; i <= 25; i++)
			lines.push(`mid-${i},${p},${at},${i === 13 ? 'NOPE' : 'PHONE'},1,999`);
		const csv = lines.join('\n');
		const first = await importSales(a.db, csv, { dryRun: false, actor: {}, batchSize: 10 });
		expect(first.sales).toEqual({ new: 24, duplicate: 0, rejected: 1 });
		expect(first.errors).toEqual([
			{ row: 13, column: 'sku', message: 'Unknown SKU NOPE', code: 'unknown_sku' }
		]);
		expect(saleCount(a.db)).toBe(24);
		const again = await importSales(a.db, csv, { dryRun: false, actor: {}, batchSize: 10 });
		expect(again.sales).toEqual({ new: 0, duplicate: 24, rejected: 1 });
		expect(again.points).toBe(0);
		expect(saleCount(a.db)).toBe(24);
	});

	it('a window that fails ends the import with its error: the rest of the file is not reported as imported', async () => {
		const c = await makeContest(a.db, { people: 2 });
		const p = c.people[0].email;
		const at = new Date(c.season.startsAt + 3_600_000).toISOString();
		const lines = [HEADER];
		for (let i = 1; i <= 10; i++) lines.push(`fail-${i},${p},${at},PHONE,1,999`);
		// Once, after the first window (as a passing failure would: a busy database, a full disk).
		let failed = false;
		const failing = importSales(a.db, lines.join('\n'), {
			dryRun: false,
			actor: {},
			batchSize: 3,
			onProgress: (done) => {
				if (done === 0 || failed) return;
				failed = true;
				throw new Error('the window failed');
			}
		});
		await expect(failing).rejects.toThrow('the window failed');
		// The first window had committed; nothing after it was read.
		expect(saleCount(a.db)).toBe(3);
	});

	it("leaves the connection's automatic WAL checkpoint as it found it, off included", async () => {
		const c = await makeContest(a.db, { people: 2 });
		const p = c.people[0].email;
		const at = new Date(c.season.startsAt + 3_600_000).toISOString();
		const csv = (from: number) =>
			[HEADER, ...[0, 1, 2, 3].map((i) => `wal-${from + i},${p},${at},PHONE,1,999`)].join('\n');
		const autocheckpoint = () => a.db.$client.pragma('wal_autocheckpoint', { simple: true });
		for (const [own, from] of [
			[1000, 0],
			[0, 10]
		]) {
			a.db.$client.pragma(`wal_autocheckpoint = ${own}`);
			const seen: unknown[] = [];
			const report = await importSales(a.db, csv(from), {
				dryRun: false,
				actor: {},
				batchSize: 2,
				onProgress: () => seen.push(autocheckpoint())
			});
			expect(report.sales.new).toBe(4);
			// Between windows (when a request may commit) and after: the connection's own value.
			expect(new Set([...seen, autocheckpoint()])).toEqual(new Set([own]));
		}
	});

	it('words the report in the locale it is given, with plurals', async () => {
		const c = await makeContest(a.db, { people: 2 });
		const p = c.people[0].email;
		const at = new Date(c.season.startsAt + 3_600_000).toISOString();
		const csv = [HEADER, `pl-1,${p},13/13/2026,NOPE,1,999`, `pl-2,${p},${at},PHONE,1`].join('\n');
		const report = await importSales(a.db, csv, {
			dryRun: true,
			actor: {},
			locale: 'pl',
			dateOrder: 'DMY'
		});
		expect(report.errors.map((e) => e.message)).toEqual([
			'occurredAt nie jest istniejącą datą (kolejność DMY)',
			'Za mało pól: oczekiwano 6 pól, odczytano 5 (wartość zawierającą przecinek ujmij w "cudzysłów")'
		]);
	});
});
