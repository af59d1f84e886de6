// An import's window reads which of its external ids were sent before in one query
// (SaleLookups.prefetchReplaysInWrite) instead of one read per sale. The answers must stay those of
// the read per sale: an id sent before through the API (one id space with imports) is a
// duplicate or a conflict, an id of another source ('web') or a new id is a new sale.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest } from '../helpers/factories';
import { importSales } from '../../src/lib/server/imports/sales';
import { recordOn } from '../helpers/record-sale';
import { SaleLookups } from '../../src/lib/server/scoring/sale-lookups';
import { read, sqliteStore } from '../../src/lib/server/db/store';

let a: ReturnType<typeof tempDb>;
beforeEach(() => (a = tempDb()));
afterEach(() => a.cleanup());

const HOUR = 3_600_000;

describe('replays in an import window', () => {
	it('are read for the whole window at once and answered as one by one', async () => {
		const c = await makeContest(a.db, { people: 3 });
		const [p0, p1] = c.people;
		const at = Date.now() - 5 * HOUR;
		const sent = (source: 'api' | 'web', externalId: string, quantity: number) =>
			recordOn(
				a.db,
				{
					source,
					externalId,
					seller: { email: p0.email },
					occurredAt: at,
					lines: [{ sku: 'PHONE', quantity, unitPrice: 99900 }]
				},
				undefined,
				{ awards: false }
			);
		await sent('api', 'SAME', 1); // the file sends it again as it was: a duplicate
		await sent('api', 'OTHER', 1); // the file sends 2 phones under its id: a conflict
		await sent('web', 'WEB-1', 1); // another id space: the file's WEB-1 is a new sale

		const lookups = new SaleLookups();
		const store = sqliteStore(a.db);
		await read(store, (tx) => lookups.prefetchReplaysInWrite(tx, store, ['SAME', 'NEW', 'WEB-1']));
		expect(lookups.mayBeReplay('import', 'SAME')).toBe(true);
		expect(lookups.mayBeReplay('api', 'NEW')).toBe(false);
		expect(lookups.mayBeReplay('import', 'WEB-1')).toBe(false);
		// Not read: the per-sale read decides.
		expect(lookups.mayBeReplay('import', 'UNREAD')).toBe(true);
		expect(lookups.mayBeReplay('web', 'NEW')).toBe(true);

		const iso = new Date(at).toISOString();
		const csv = [
			'externalId,sellerEmail,occurredAt,sku,quantity,unitPrice',
			`NEW-1,${p1.email},${iso},CASE,1,29`,
			`SAME,${p0.email},${iso},PHONE,1,999`,
			`OTHER,${p0.email},${iso},PHONE,2,999`,
			`WEB-1,${p1.email},${iso},PHONE,1,999`,
			`NEW-2,${p1.email},${iso},PHONE,1,999`
		].join('\n');
		const report = await importSales(a.db, csv, { dryRun: false, actor: {} });
		expect(report.sales).toEqual({ new: 3, duplicate: 1, rejected: 1 });
		expect(report.errors).toMatchObject([{ row: 3, code: 'external_id_conflict' }]);
		expect(
			a.db.all(sql`select source, external_id as id from sale order by source, external_id`)
		).toEqual([
			{ source: 'api', id: 'OTHER' },
			{ source: 'api', id: 'SAME' },
			{ source: 'import', id: 'NEW-1' },
			{ source: 'import', id: 'NEW-2' },
			{ source: 'import', id: 'WEB-1' },
			{ source: 'web', id: 'WEB-1' }
		]);

		// The same file again: every sale of it is there now, nothing new.
		const again = await importSales(a.db, csv, { dryRun: false, actor: {} });
		expect(again.sales).toEqual({ new: 0, duplicate: 4, rejected: 1 });
	});
});
