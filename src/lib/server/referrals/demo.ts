import { and, eq } from 'drizzle-orm';
import type { Store } from '../db/store';
import { recordDemoSale } from '../db/demo-sale';
import { recordReferral } from './record';

const DAY = 24 * 60 * 60 * 1000;

/**
 * The demo's referrals: one confirmed by a later sale with the same customer reference (typed
 * differently, as people do), one open, and one flagged as a duplicate of the open one. Running it
 * again changes nothing (the referrals' request ids and the sale's externalId replay).
 */
export async function seedDemoReferrals(
	store: Store,
	seasonId: number,
	now: number,
	sku: string
): Promise<void> {
	const { seasonMember, user } = store.tables;
	const rep = async (n: number) => {
		const [row] = await store.db
			.select({ id: user.id })
			.from(user)
			.innerJoin(seasonMember, eq(seasonMember.userId, user.id))
			.where(and(eq(user.email, `rep${n}@demo.test`), eq(seasonMember.seasonId, seasonId)));
		return row?.id;
	};
	const [first, second, third, fourth] = [await rep(1), await rep(2), await rep(3), await rep(5)];
	if (!first || !second || !third || !fourth) return;
	const refer = (
		requestId: string,
		referrerId: number,
		at: number,
		customer: {
			customerName: string;
			customerRef: string;
			contact: string | null;
			note: string | null;
		}
	) => recordReferral(store, { requestId, referrerId, seasonId, ...customer }, () => at);

	await refer('demo-referral-1', first, now - 9 * DAY, {
		customerName: 'Nordlys Hotel',
		customerRef: 'NH-2041',
		contact: 'Ingrid Berg, +47 22 33 44 55',
		note: null
	});
	// The hotel's first order, by a colleague: its customer reference confirms rep1's referral.
	await recordDemoSale(store, {
		source: 'demo',
		externalId: 'demo-referral-sale',
		seller: { userId: third },
		occurredAt: now - 3 * DAY,
		lines: [{ sku, quantity: 2 }],
		customerRef: 'nh 2041'
	});
	await refer('demo-referral-2', second, now - 4 * DAY, {
		customerName: 'Baltic Bikes',
		customerRef: 'BB-0077',
		contact: 'kontakt@balticbikes.example',
		note: 'Opening a second shop in spring'
	});
	await refer('demo-referral-3', fourth, now - DAY, {
		customerName: 'Baltic Bikes sp. z o.o.',
		customerRef: 'bb 0077',
		contact: null,
		note: null
	});
}
