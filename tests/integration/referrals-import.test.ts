// The CSV import's optional customer reference column: mapped by its header (or map.customerRef),
// stored on the sale, and confirming the customer's open referral in the import's transaction.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest, standingsVsLedger } from '../helpers/factories';
import { referral, sale } from '../../src/lib/server/db/schema';
import { importSales } from '../../src/lib/server/imports/sales';
import { recordReferral } from '../../src/lib/server/referrals/record';
import { sqliteStore } from '../../src/lib/server/db/store';
import { guessMapping } from '../../src/lib/imports/mapping';

let a: ReturnType<typeof tempDb>;
beforeEach(() => (a = tempDb()));
afterEach(() => a.cleanup());
const actor = { userId: null };

describe('the customerRef import column', () => {
	it('is guessed from CRM headers and is optional', () => {
		expect(guessMapping(['Order ID', 'Customer number', 'Qty']).customerRef).toBe(
			'Customer number'
		);
		expect(guessMapping(['externalId', 'sku']).customerRef).toBeUndefined();
	});

	it('confirms an open referral when the imported sale carries its customer', async () => {
		const c = await makeContest(a.db, { teams: 1, people: 2 });
		const [referrer, seller] = c.people;
		const at = Date.now() - 60 * 60 * 1000;
		const recorded = await recordReferral(sqliteStore(a.db), {
			requestId: 'import-ref-1',
			referrerId: referrer.id,
			customerName: 'Acme',
			customerRef: 'AC-7',
			contact: null,
			note: null
		});
		const when = new Date(at).toISOString();
		const csv = [
			'externalId,sellerEmail,occurredAt,sku,quantity,unitPrice,Customer number',
			`imp-1,${seller.email},${when},PHONE,1,100.00,ac 7`,
			`imp-2,${seller.email},${when},PHONE,1,100.00,`,
			`imp-3,${seller.email},${when},PHONE,1,100.00,${'x'.repeat(121)}`
		].join('\n');
		// As the API reads map.customerRef=Customer number (or the page's choice).
		const mapping = { customerRef: 'Customer number' };
		const dry = await importSales(a.db, csv, { dryRun: true, actor, mapping });
		expect(dry.errors).toEqual([expect.objectContaining({ row: 3, column: 'Customer number' })]);
		const row = () => a.db.select().from(referral).where(eq(referral.id, recorded.id)).get()!;
		expect(row().status).toBe('open');

		const done = await importSales(a.db, csv, { dryRun: false, actor, mapping });
		expect(done.accepted).toBe(2);
		const imported = a.db.select().from(sale).where(eq(sale.externalId, 'imp-1')).get()!;
		expect(imported.customerRef).toBe('ac 7');
		expect(row()).toMatchObject({ status: 'confirmed', matchedSaleId: imported.id });
		const { stored, fromLedger } = standingsVsLedger(a.db, c.season.id);
		expect(stored).toEqual(fromLedger);
	});
});
