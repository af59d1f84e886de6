// The referrals ported onto the store (#20, db/store.ts): a season's referral settings (read,
// and saved with their audit entry in one write) and what the pages and the API read (a person's
// referrals, the manager's list with its possible duplicates, the counts, the sales to confirm
// by), with the same assertions on a temp SQLite file and a throwaway PostgreSQL, two nodes each
// (tests/helpers/store-nodes.ts). Recording and deciding a referral stay synchronous (their
// points move on the ledger, scoring/): referrals are written here as rows, as they leave them.
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import { REFERRAL_DEFAULTS } from '../../src/lib/contest/referral';
import { referralSettings, saveReferralSettings } from '../../src/lib/server/referrals/programme';
import {
	confirmedSalesFor,
	listMyReferrals,
	listReferrals,
	referralCounts
} from '../../src/lib/server/referrals/queries';
import { AppError } from '../../src/lib/server/shared/errors';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { auditsOf, liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('referrals-store');
const NOW = 1_800_000_000_000;
const DAY = 24 * 60 * 60 * 1000;
const BOSS = { userId: null };

let serial = 0;

/** A live season with one team and `size` members. */
async function makeSeason(store: Store, size = 2) {
	const made = await liveSeasonOn(store, { size, teams: ['Crew'], endsAt: NOW * 2 });
	return { seasonId: made.seasonId, teamId: made.teamIds[0], people: made.people };
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i % 2];

	async function programmeRows(store: Store, seasonId: number) {
		const { seasonProgramme } = store.tables;
		return store.db.select().from(seasonProgramme).where(eq(seasonProgramme.seasonId, seasonId));
	}
	/** A referral as recording one writes it (record.ts, synchronous). */
	async function refer(
		store: Store,
		seasonId: number,
		referrerId: number,
		customer: { name: string; key: string | null },
		facts: { status?: 'open' | 'confirmed' | 'lapsed' | 'rejected'; duplicateOfId?: number } = {}
	) {
		const { referral } = store.tables;
		const [row] = await store.db
			.insert(referral)
			.values({
				seasonId,
				referrerId,
				customerName: customer.name,
				customerRef: customer.key,
				customerKey: customer.key,
				status: facts.status ?? 'open',
				points: 50,
				duplicateOfId: facts.duplicateOfId ?? null,
				expiresAt: NOW + 60 * DAY,
				requestId: `req-${++serial}`,
				createdAt: NOW + serial
			})
			.returning({ id: referral.id });
		return row.id;
	}

	it('settings saved on one node are read on the other; the rewards columns are kept', async () => {
		const { seasonId } = await makeSeason(node(0));
		expect(await referralSettings(node(1), seasonId)).toEqual({
			referralPoints: REFERRAL_DEFAULTS.points,
			referralLapseDays: REFERRAL_DEFAULTS.lapseDays
		});
		const { seasonProgramme } = node(0).tables;
		await node(0).db.insert(seasonProgramme).values({ seasonId, spendSharePercent: 40 });
		await saveReferralSettings(
			node(0),
			seasonId,
			{ referralPoints: 75, referralLapseDays: 30 },
			BOSS,
			() => NOW
		);
		expect(await referralSettings(node(1), seasonId)).toEqual({
			referralPoints: 75,
			referralLapseDays: 30
		});
		const [row] = await programmeRows(node(1), seasonId);
		expect(row).toMatchObject({ spendSharePercent: 40, updatedAt: NOW });
		expect(await auditsOf(node(1), `season:${seasonId}`)).toEqual([
			{
				action: 'season.referral_settings',
				data: {
					before: {
						referralPoints: REFERRAL_DEFAULTS.points,
						referralLapseDays: REFERRAL_DEFAULTS.lapseDays
					},
					after: { referralPoints: 75, referralLapseDays: 30 }
				}
			}
		]);
	});

	it('saves sent to both nodes at once take turns: one row, each audit entry sees the other', async () => {
		const { seasonId } = await makeSeason(node(0));
		const a = { referralPoints: 10, referralLapseDays: 5 };
		const b = { referralPoints: 20, referralLapseDays: 9 };
		await Promise.all([
			saveReferralSettings(node(0), seasonId, a, BOSS, () => NOW),
			saveReferralSettings(node(1), seasonId, b, BOSS, () => NOW)
		]);
		const rows = await programmeRows(node(0), seasonId);
		expect(rows).toHaveLength(1);
		const entries = (await auditsOf(node(1), `season:${seasonId}`)).map(
			(e) => e.data as { before: unknown; after: unknown }
		);
		expect(entries).toHaveLength(2);
		// Serializable: the second save's "before" is the first one's "after", and the row holds
		// the second one's values.
		expect(entries[1].before).toEqual(entries[0].after);
		expect(await referralSettings(node(0), seasonId)).toEqual(entries[1].after);
	});

	it('refuses a season that is not there and changes nothing', async () => {
		const missing = 9_000_000 + ++serial;
		const refused = await saveReferralSettings(
			node(0),
			missing,
			{ referralPoints: 1, referralLapseDays: 1 },
			BOSS
		).catch((error: unknown) => error);
		expect(refused).toBeInstanceOf(AppError);
		expect(refused).toMatchObject({ status: 404, code: 'not_found' });
		expect(await programmeRows(node(1), missing)).toEqual([]);
		expect(await auditsOf(node(1), `season:${missing}`)).toEqual([]);
	});

	it('lists, counts and offers sales the same from either node', async () => {
		const { seasonId, teamId, people } = await makeSeason(node(0), 3);
		const other = await makeSeason(node(0), 1);
		const [rep, colleague, seller] = people;
		const hotel = await refer(node(0), seasonId, rep.id, { name: 'Nordlys Hotel', key: 'nh2041' });
		const bikes = await refer(node(1), seasonId, colleague.id, {
			name: 'Baltic Bikes',
			key: 'bb0077'
		});
		const again = await refer(
			node(0),
			seasonId,
			rep.id,
			{ name: 'Baltic Bikes sp. z o.o.', key: 'bb0077' },
			{ duplicateOfId: bikes }
		);
		const done = await refer(
			node(1),
			seasonId,
			rep.id,
			{ name: 'Old Client', key: null },
			{ status: 'lapsed' }
		);
		await refer(node(1), other.seasonId, other.people[0].id, { name: 'Elsewhere', key: null });
		const { sale } = node(0).tables;
		const sold = (externalId: string, status: 'approved' | 'pending', at: number) =>
			node(0)
				.db.insert(sale)
				.values({
					seasonId,
					source: 'api',
					externalId,
					sellerId: seller.id,
					teamId,
					occurredAt: at,
					amount: 1000,
					customerRef: 'NH-2041',
					status,
					points: 10
				})
				.returning({ id: sale.id });
		const [[early], , [late]] = [
			await sold('s-early', 'approved', NOW - 2 * DAY),
			await sold('s-pending', 'pending', NOW - DAY),
			await sold('s-late', 'approved', NOW)
		];

		for (const store of nodes[dialect]) {
			const mine = await listMyReferrals(store, rep.id);
			expect(mine.map((r) => [r.id, r.duplicate, r.pointsStatus])).toEqual([
				[done, false, 'void'],
				[again, true, 'provisional'],
				[hotel, false, 'provisional']
			]);
			const open = await listReferrals(store, { seasonId, status: 'open' });
			expect(open.map((r) => r.id)).toEqual([again, bikes, hotel]);
			expect(open[0]).toMatchObject({
				referrer: { id: rep.id, name: rep.name },
				duplicateOfId: bikes,
				duplicateOfName: colleague.name,
				duplicateOfStatus: 'open'
			});
			expect(open[2]).toMatchObject({ duplicateOfName: null, duplicateOfStatus: null });
			expect((await listReferrals(store, { seasonId })).map((r) => r.id)).toHaveLength(4);
			expect(await listReferrals(store, { seasonId, limit: 1 })).toHaveLength(1);
			expect(await referralCounts(store, seasonId)).toEqual({
				open: 3,
				confirmed: 0,
				lapsed: 1,
				rejected: 0
			});
			expect((await referralCounts(store)).open).toBeGreaterThanOrEqual(4);
			const sales = await confirmedSalesFor(store, seasonId);
			expect(sales.map((s) => [s.id, s.sellerName])).toEqual([
				[late.id, seller.name],
				[early.id, seller.name]
			]);
		}
	});
});
