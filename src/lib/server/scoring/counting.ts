import { inArray, ne } from 'drizzle-orm';
import { ledgerEntry, sale } from '../db/schema';
import { COUNTED_SALE_STATUSES } from '../../contest/counting';

// The domain's "counts" (contest/counting.ts) as conditions for a Drizzle `where`.

/** The sale counts towards the scores (pending or approved). */
export const countedSale = inArray(sale.status, [...COUNTED_SALE_STATUSES]);

/** The ledger entry counts towards the scores (not voided). */
export const countedEntry = ne(ledgerEntry.status, 'void');
