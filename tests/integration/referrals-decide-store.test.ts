// Deciding a referral on the store (#20, referrals/decide.ts): a manager's confirmation and
// rejection and the lapse job, each one write that moves the referral, its ledger entry, the
// standings, the audit and the season's version together, with the same assertions on a temp
// SQLite file and a throwaway PostgreSQL. "Two nodes" are two stores on one database: a
// referral decided on both at once is decided once, its points moved once.
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import {
	confirmReferral,
	lapseReferrals,
	rejectReferral
} from '../../src/lib/server/referrals/decide';
import { appendEntryInWrite } from '../../src/lib/server/scoring/ledger';
import { write, type Store } from '../../src/lib/server/db/store';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { appErrorCode, auditsOf, liveSeasonOn, pointsOf } from '../helpers/store-season';

const nodes = twoNodesPerDialect('referrals-decide-store');
const NOW = 1_900_000_000_000;
const clock = () => NOW;
let serial = 0;

type Season = Awaited<ReturnType<typeof liveSeasonOn>>;

/** An open referral by the season's first person, with its provisional ledger entry. */
async function referralOn(store: Store, s: Season, points = 30, expiresAt = 1e13) {
	const { referral } = store.tables;
	const n = ++serial;
	return write(store, async (tx) => {
		const ledgerEntryId = await appendEntryInWrite(
			tx,
			store,
			{
				seasonId: s.seasonId,
				userId: s.people[0].id,
				teamId: s.teamIds[0],
				kind: 'referral',
				points,
				status: 'provisional'
			},
			NOW - 1000,
			[]
		);
		const [row] = await tx
			.insert(referral)
			.values({
				seasonId: s.seasonId,
				referrerId: s.people[0].id,
				customerName: `Customer ${n}`,
				customerRef: `C-${n}`,
				customerKey: `c-${n}`,
				points,
				ledgerEntryId,
				expiresAt
			})
			.returning({ id: referral.id });
		return row.id;
	});
}

/** A sale of the season's second person, approved unless said otherwise. */
async function saleOn(store: Store, s: Season, status: 'approved' | 'pending' = 'approved') {
	const { sale } = store.tables;
	const externalId = `ref-decide-${++serial}`;
	const [row] = await store.db
		.insert(sale)
		.values({
			seasonId: s.seasonId,
			source: 'api',
			externalId,
			sellerId: s.people[1].id,
			teamId: s.teamIds[1],
			occurredAt: NOW - 500,
			amount: 10_000,
			status,
			points: 0
		})
		.returning({ id: sale.id });
	return { id: row.id, externalId };
}

/** The referral, its entry's status, the referrer's and the team's standing, the version. */
async function stateOf(store: Store, s: Season, referralId: number) {
	const { referral, ledgerEntry, season } = store.tables;
	const [row] = await store.db
		.select({
			status: referral.status,
			matchedSaleId: referral.matchedSaleId,
			decidedById: referral.decidedById,
			reason: referral.decisionReason,
			entry: ledgerEntry.status
		})
		.from(referral)
		.innerJoin(ledgerEntry, eq(ledgerEntry.id, referral.ledgerEntryId))
		.where(eq(referral.id, referralId));
	const [{ version }] = await store.db
		.select({ version: season.version })
		.from(season)
		.where(eq(season.id, s.seasonId));
	return {
		...row,
		person: await pointsOf(store, s.seasonId, 'user', s.people[0].id),
		team: await pointsOf(store, s.seasonId, 'team', s.teamIds[0]),
		version
	};
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i];
	const season = (endsAt = 1e13) =>
		liveSeasonOn(node(0), { size: 3, teams: ['North', 'South'], endsAt });

	it('a referral confirmed on one node is confirmed on the other, its points with it; repeating changes nothing', async () => {
		const s = await season();
		const boss = s.people[2];
		const id = await referralOn(node(0), s);
		const sold = await saleOn(node(0), s);
		const before = await stateOf(node(1), s, id);
		expect(before).toMatchObject({
			status: 'open',
			entry: 'provisional',
			person: { confirmed: 0, provisional: 30 }
		});
		expect(
			await confirmReferral(node(0), id, { saleId: sold.id }, { userId: boss.id }, clock)
		).toEqual({ id, status: 'confirmed', matchedSaleId: sold.id, changed: true });
		const after = await stateOf(node(1), s, id);
		expect(after).toEqual({
			status: 'confirmed',
			matchedSaleId: sold.id,
			decidedById: boss.id,
			reason: null,
			entry: 'confirmed',
			person: { confirmed: 30, provisional: 0 },
			team: { confirmed: 30, provisional: 0 },
			version: before.version + 1
		});
		expect(await auditsOf(node(1), `referral:${id}`)).toEqual([
			{ action: 'referral.confirm', data: { saleId: sold.id, points: 30 } }
		]);
		// The API names the sale by its externalId: the same sale again is no change.
		expect(
			await confirmReferral(
				node(1),
				id,
				{ externalId: sold.externalId },
				{ userId: boss.id },
				clock
			)
		).toEqual({ id, status: 'confirmed', matchedSaleId: sold.id, changed: false });
		expect(await stateOf(node(0), s, id)).toEqual(after);
		expect(await auditsOf(node(0), `referral:${id}`)).toHaveLength(1);
	});

	it('a rejection sent to both nodes at once is done once: the points voided once, one audit, one version', async () => {
		const s = await season();
		const boss = s.people[2];
		const id = await referralOn(node(0), s, 40);
		const before = await stateOf(node(0), s, id);
		const results = await Promise.all(
			[0, 1, 0, 1].map((i) =>
				rejectReferral(node(i), id, ' not a real lead ', { userId: boss.id }, clock)
			)
		);
		expect(results.filter((r) => r.changed)).toHaveLength(1);
		expect(results.every((r) => r.status === 'rejected')).toBe(true);
		expect(await stateOf(node(1), s, id)).toMatchObject({
			status: 'rejected',
			reason: 'not a real lead',
			entry: 'void',
			person: { confirmed: 0, provisional: before.person.provisional - 40 },
			team: { confirmed: 0, provisional: before.team.provisional - 40 },
			version: before.version + 1
		});
		expect(await auditsOf(node(0), `referral:${id}`)).toEqual([
			{ action: 'referral.reject', data: { reason: 'not a real lead', points: -40 } }
		]);
	});

	it('a confirmation racing a rejection on the other node: one wins, the other is refused', async () => {
		const s = await season();
		const boss = s.people[2];
		const id = await referralOn(node(0), s, 25);
		const sold = await saleOn(node(0), s);
		const before = await stateOf(node(0), s, id);
		const outcomes = await Promise.all([
			appErrorCode(() =>
				confirmReferral(node(0), id, { saleId: sold.id }, { userId: boss.id }, clock)
			),
			appErrorCode(() => rejectReferral(node(1), id, 'duplicate', { userId: boss.id }, clock))
		]);
		expect(outcomes.sort()).toEqual(['not_open', 'ok']);
		const after = await stateOf(node(1), s, id);
		expect(after.version).toBe(before.version + 1);
		expect(after.person.confirmed + after.person.provisional).toBe(
			after.status === 'confirmed' ? before.person.provisional : before.person.provisional - 25
		);
		expect(await auditsOf(node(1), `referral:${id}`)).toHaveLength(1);
	});

	it('bad input and refused decisions change nothing', async () => {
		const s = await season();
		const other = await season();
		const boss = s.people[2];
		const id = await referralOn(node(0), s);
		const pending = await saleOn(node(0), s, 'pending');
		const elsewhere = await saleOn(node(0), other);
		const before = await stateOf(node(1), s, id);
		const actor = { userId: boss.id };
		const refused = await Promise.all([
			appErrorCode(() => rejectReferral(node(1), id, ' no', actor, clock)),
			appErrorCode(() => rejectReferral(node(1), 1e9, 'no lead', actor, clock)),
			appErrorCode(() => confirmReferral(node(1), 1e9, { saleId: pending.id }, actor, clock)),
			appErrorCode(() => confirmReferral(node(1), id, { saleId: 1e9 }, actor, clock)),
			appErrorCode(() => confirmReferral(node(1), id, { externalId: 'nowhere' }, actor, clock)),
			appErrorCode(() => confirmReferral(node(1), id, { saleId: pending.id }, actor, clock)),
			appErrorCode(() => confirmReferral(node(1), id, { saleId: elsewhere.id }, actor, clock))
		]);
		expect(refused).toEqual([
			'reason_required',
			'not_found',
			'not_found',
			'sale_not_found',
			'sale_not_found',
			'sale_not_confirmed',
			'other_season'
		]);
		// A season whose results are final: its referrals are not decided any more.
		const ended = await season(1000);
		const late = await referralOn(node(0), ended);
		const lateBefore = await stateOf(node(0), ended, late);
		expect(await appErrorCode(() => rejectReferral(node(1), late, 'too late', actor, clock))).toBe(
			'season_final'
		);
		expect(await stateOf(node(0), s, id)).toEqual(before);
		expect(await stateOf(node(0), ended, late)).toEqual(lateBefore);
		expect(await auditsOf(node(0), `referral:${id}`)).toEqual([]);
		expect(await auditsOf(node(0), `referral:${late}`)).toEqual([]);
	});

	it('nodes lapsing at once lapse each referral past its date once, and leave the others open', async () => {
		const s = await season();
		const due = [
			{ id: await referralOn(node(0), s, 10, NOW - 1), points: 10 },
			{ id: await referralOn(node(0), s, 20, NOW), points: 20 }
		];
		const later = await referralOn(node(0), s, 5, NOW + 1);
		const before = await stateOf(node(0), s, later);
		const counts = await Promise.all([
			lapseReferrals(node(0), clock),
			lapseReferrals(node(1), clock)
		]);
		expect(counts.sort()).toEqual([0, 2]);
		for (const { id, points } of due) {
			expect(await stateOf(node(1), s, id)).toMatchObject({ status: 'lapsed', entry: 'void' });
			expect(await auditsOf(node(1), `referral:${id}`)).toEqual([
				{ action: 'referral.lapse', data: { points: -points } }
			]);
		}
		expect(await stateOf(node(1), s, later)).toMatchObject({
			status: 'open',
			entry: 'provisional',
			person: { confirmed: 0, provisional: before.person.provisional - 30 },
			version: before.version + 1
		});
		expect(await lapseReferrals(node(1), clock)).toBe(0);
	});
});
