import { inArray } from 'drizzle-orm';
import { sale } from '../db/schema';
import { literals } from '../db/prepared';
import type { Tables } from '../db/store';
import { COUNTED_SALE_STATUSES } from '../../contest/counting';

// The domain's "a sale that counts" (contest/counting.ts) as a condition for a Drizzle `where`.

/** The sale counts towards the scores (pending or approved). */
export const countedSale = inArray(sale.status, literals(COUNTED_SALE_STATUSES));

/** countedSale on a store's own sale table (a store query's `tables.sale`). */
export const countedSaleOf = (table: Tables['sale']) =>
	inArray(table.status, literals(COUNTED_SALE_STATUSES));
