// Another node selling while a test's long write runs (an import's window, a recalculation's
// slice): one API sale after another through the group commit, until stopped.
import type { Store } from '../../src/lib/server/db/store';
import { recordSaleGrouped } from '../../src/lib/server/scoring/group-commit';
import type { Clock } from '../../src/lib/server/shared/clock';

export interface Selling {
	/** How many sales the node has recorded so far. */
	sold: () => number;
	/** Stops after the sale under way; rejects if a sale failed. */
	stop: () => Promise<void>;
}

/**
 * `node` sells a case for `people` in turn, one sale after another (each after `pauseMs`),
 * dated `occurredAt`, until stopped.
 */
export function sellingMeanwhile(
	node: Store,
	people: readonly { email: string }[],
	options: { prefix: string; pauseMs: number; occurredAt: number; clock: Clock }
): Selling {
	let selling = true;
	let sold = 0;
	const done = (async () => {
		while (selling) {
			if (options.pauseMs > 0) await new Promise((r) => setTimeout(r, options.pauseMs));
			await recordSaleGrouped(
				node,
				{
					source: 'api',
					externalId: `${options.prefix}-api-${++sold}`,
					seller: { email: people[sold % people.length].email },
					occurredAt: options.occurredAt,
					lines: [{ sku: 'CASE', quantity: 1, unitPrice: 2000 }]
				},
				options.clock
			);
		}
	})();
	return {
		sold: () => sold,
		stop: async () => {
			selling = false;
			await done;
		}
	};
}
