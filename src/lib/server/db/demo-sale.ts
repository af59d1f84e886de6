import { write, type Store } from './store';
import { recordSaleInWrite, type RecordSaleInput } from '../scoring/sales';
import { SaleLookups } from '../scoring/sale-lookups';
import { WriteBatch } from '../scoring/write-batch';
import { markStandingsMoved } from '../scoring/standings';

/**
 * A demo sale recorded through the store on either dialect, as if made when it occurred: one
 * write, the sale's body as the group commit runs it (scoring/group-commit.ts), without its badge
 * step (the demo evaluates the badges once its history is written). A sale the demo recorded
 * before replays and changes nothing. Refusals are thrown (AppError).
 */
export async function recordDemoSale(store: Store, input: RecordSaleInput): Promise<void> {
	const now = input.occurredAt;
	const moved = await write(store, async (tx) => {
		// Made inside the write: PostgreSQL runs the callback again after a conflict.
		const writes = new WriteBatch();
		await recordSaleInWrite(tx, store, input, now, new SaleLookups(), writes);
		await writes.finishInWrite(tx, store, now);
		return writes.moved;
	});
	markStandingsMoved(moved);
}
