// What the review queue reads of the referrals, on the store (#20, referrals/queries.ts
// `readReferralsConfirmedBy`): which pending sales would confirm an open referral, the first of
// their customer in the sale's season. The same assertions on a temp SQLite file and a throwaway
// PostgreSQL, two nodes each (tests/helpers/store-nodes.ts): referrals recorded or decided on
// one node are what the other matches.
import { describe, expect, it } from 'vitest';
import { recordReferral } from '../../src/lib/server/referrals/record';
import { rejectReferral } from '../../src/lib/server/referrals/decide';
import { readReferralsConfirmedBy } from '../../src/lib/server/referrals/queries';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('referrals-confirmed-by-store');
const NOW = 1_900_000_000_000;
let serial = 0;

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i % 2];

	it('matches a sale to the first open referral of its customer in its season, across nodes', async () => {
		const s = await liveSeasonOn(node(0), { size: 2, teams: ['Alpha'], endsAt: NOW * 2 });
		const other = await liveSeasonOn(node(0), { size: 1, teams: ['Other'], endsAt: NOW * 2 });
		const refer = async (person: number, customerRef: string, at: number) =>
			recordReferral(
				node(person),
				{
					referrerId: s.people[person].id,
					seasonId: s.seasonId,
					requestId: `confirmed-by-${dialect}-${++serial}`,
					customerName: `Customer ${customerRef}`,
					customerRef,
					contact: null,
					note: null
				},
				() => at
			);
		const tag = `${dialect}${s.seasonId}`;
		const first = await refer(0, `ACME-${tag}-1`, NOW);
		// A later referral of the same customer (spelled otherwise) is not the one a sale confirms.
		await refer(1, `acme ${tag} 1`, NOW + 1);
		const second = await refer(1, `ACME-${tag}-2`, NOW + 2);
		const third = await refer(0, `ACME-${tag}-3`, NOW + 3);

		const sales = [
			{ id: 1, seasonId: s.seasonId, customerRef: `acme.${tag}.1` },
			{ id: 2, seasonId: s.seasonId, customerRef: `ACME-${tag}-2` },
			{ id: 3, seasonId: s.seasonId, customerRef: null },
			{ id: 4, seasonId: other.seasonId, customerRef: `ACME-${tag}-1` },
			{ id: 5, seasonId: s.seasonId, customerRef: `ACME-${tag}-3` },
			{ id: 6, seasonId: s.seasonId, customerRef: `NOBODY-${tag}` }
		];
		const seen = await readReferralsConfirmedBy(node(1), sales);
		expect([...seen.entries()].sort(([a], [b]) => a - b)).toEqual([
			[
				1,
				{
					referralId: first.id,
					referrerName: s.people[0].name,
					customerName: `Customer ACME-${tag}-1`
				}
			],
			[
				2,
				{
					referralId: second.id,
					referrerName: s.people[1].name,
					customerName: `Customer ACME-${tag}-2`
				}
			],
			[
				5,
				{
					referralId: third.id,
					referrerName: s.people[0].name,
					customerName: `Customer ACME-${tag}-3`
				}
			]
		]);

		// Rejected on one node: the other no longer offers it.
		await rejectReferral(node(0), third.id, 'Not a new customer', { userId: null }, () => NOW + 4);
		const after = await readReferralsConfirmedBy(node(1), sales);
		expect([...after.keys()].sort()).toEqual([1, 2]);
		expect(await readReferralsConfirmedBy(node(0), [])).toEqual(new Map());
		expect(await readReferralsConfirmedBy(node(0), [sales[2]])).toEqual(new Map());
	});
});
