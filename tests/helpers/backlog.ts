// A ledger backlog the badge facts have not taken in: sales recorded in one write of the store
// without the badge step (as a crash between a write and its step, or an upgrade, leaves them).
import { write, type Store } from '../../src/lib/server/db/store';
import { recordSaleInWrite, type RecordSaleInput } from '../../src/lib/server/scoring/sales';
import { SaleLookups } from '../../src/lib/server/scoring/sale-lookups';
import { WriteBatch } from '../../src/lib/server/scoring/write-batch';

/** `sales` recorded at `now` in one write, without the badge step. */
export async function recordWithoutBadges(
	store: Store,
	sales: readonly RecordSaleInput[],
	now: number
) {
	await write(store, async (tx) => {
		const lookups = new SaleLookups();
		const writes = new WriteBatch();
		for (const sale of sales) await recordSaleInWrite(tx, store, sale, now, lookups, writes);
		await writes.finishInWrite(tx, store, now);
	});
}
