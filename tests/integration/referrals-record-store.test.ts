// Recording a referral on the store (#20, referrals/record.ts): the referral, its provisional
// ledger entry, the standings and the season's version in one write, with the same assertions
// on a temp SQLite file and a throwaway PostgreSQL. "Two nodes" are two stores on one database:
// the same request id sent to both at once records once, and both answers are the same.
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { recordReferral, type RecordReferralInput } from '../../src/lib/server/referrals/record';
import { saveReferralSettings } from '../../src/lib/server/referrals/programme';
import type { Store } from '../../src/lib/server/db/store';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { appErrorCode, liveSeasonOn, pointsOf } from '../helpers/store-season';

const nodes = twoNodesPerDialect('referrals-record-store');
const NOW = 1_900_000_000_000;
const DAY = 24 * 60 * 60 * 1000;
const clock = () => NOW;
let serial = 0;

type Season = Awaited<ReturnType<typeof liveSeasonOn>>;

/** A form of the season's first person (unique request id and customer unless given). */
function form(s: Season, extra: Partial<RecordReferralInput> = {}): RecordReferralInput {
	const n = ++serial;
	return {
		requestId: `rec-${n}`,
		referrerId: s.people[0].id,
		customerName: `Customer ${n}`,
		customerRef: `CR-${n}`,
		contact: null,
		note: null,
		...extra
	};
}

/** The season's referrals and entries, the first person's and team's standing, the version. */
async function stateOf(store: Store, s: Season) {
	const { referral, ledgerEntry, season } = store.tables;
	const referrals = await store.db
		.select({
			id: referral.id,
			status: referral.status,
			points: referral.points,
			duplicateOfId: referral.duplicateOfId,
			expiresAt: referral.expiresAt,
			entryStatus: ledgerEntry.status,
			entryPoints: ledgerEntry.points,
			entryTeam: ledgerEntry.teamId
		})
		.from(referral)
		.innerJoin(ledgerEntry, eq(ledgerEntry.id, referral.ledgerEntryId))
		.where(eq(referral.seasonId, s.seasonId))
		.orderBy(referral.id);
	const entries = await store.db
		.select({ id: ledgerEntry.id })
		.from(ledgerEntry)
		.where(eq(ledgerEntry.seasonId, s.seasonId));
	const [{ version }] = await store.db
		.select({ version: season.version })
		.from(season)
		.where(eq(season.id, s.seasonId));
	return {
		referrals,
		entries: entries.length,
		person: await pointsOf(store, s.seasonId, 'user', s.people[0].id),
		team: await pointsOf(store, s.seasonId, 'team', s.teamIds[0]),
		version
	};
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i];
	const season = () => liveSeasonOn(node(0), { size: 3, teams: ['North', 'South'], endsAt: 1e13 });

	it('a referral recorded on one node is seen on the other with its provisional points and version', async () => {
		const s = await season();
		await saveReferralSettings(
			node(1),
			s.seasonId,
			{ referralPoints: 40, referralLapseDays: 10 },
			{ userId: null },
			clock
		);
		const before = await stateOf(node(1), s);
		const recorded = await recordReferral(node(0), form(s), clock);
		expect(recorded).toMatchObject({
			seasonId: s.seasonId,
			points: 40,
			duplicateOfId: null,
			created: true
		});
		const after = await stateOf(node(1), s);
		expect(after.referrals).toEqual([
			expect.objectContaining({
				id: recorded.id,
				status: 'open',
				points: 40,
				expiresAt: recorded.expiresAt,
				entryStatus: 'provisional',
				entryPoints: 40,
				entryTeam: s.teamIds[0]
			})
		]);
		expect(recorded.expiresAt).toBe(NOW + 10 * DAY);
		expect(after.person).toEqual({ confirmed: 0, provisional: 40 });
		expect(after.team).toEqual({ confirmed: 0, provisional: 40 });
		expect(after.version).toBe(before.version + 1);
	});

	it('the same request id on two nodes at once records once, and both answers are the first', async () => {
		const s = await season();
		const sent = form(s);
		const answers = await Promise.all([
			recordReferral(node(0), sent, clock),
			recordReferral(node(1), sent, clock)
		]);
		expect(answers[0].id).toBe(answers[1].id);
		expect(answers.map((a) => a.created).sort()).toEqual([false, true]);
		const { referrals, entries, person } = await stateOf(node(0), s);
		expect(referrals).toHaveLength(1);
		expect(entries).toBe(1);
		expect(person.provisional).toBe(referrals[0].points);
		// Later, on either node: still the first, nothing more.
		expect(await recordReferral(node(1), sent, clock)).toEqual({
			...answers[0],
			created: false
		});
		expect((await stateOf(node(1), s)).entries).toBe(1);
	});

	it('different referrals on two nodes at once are all recorded, the points summed once each', async () => {
		const s = await season();
		const forms = Array.from({ length: 6 }, () => form(s));
		await Promise.all(forms.map((f, i) => recordReferral(node(i % 2), f, clock)));
		const { referrals, entries, person, team } = await stateOf(node(1), s);
		expect(referrals).toHaveLength(6);
		expect(entries).toBe(6);
		const sum = referrals.reduce((total, r) => total + r.points, 0);
		expect(person).toEqual({ confirmed: 0, provisional: sum });
		expect(team).toEqual({ confirmed: 0, provisional: sum });
	});

	it('a customer referred on one node is flagged as a duplicate on the other', async () => {
		const s = await season();
		const first = await recordReferral(
			node(0),
			form(s, { customerRef: `DUP-${dialect}-1` }),
			clock
		);
		const again = await recordReferral(
			node(1),
			form(s, { referrerId: s.people[1].id, customerRef: ` dup ${dialect} 1 ` }),
			clock
		);
		expect(again).toMatchObject({ created: true, duplicateOfId: first.id });
		const other = await recordReferral(node(1), form(s), clock);
		expect(other.duplicateOfId).toBeNull();
	});

	it('refuses a person outside the season and another person replaying a request id, changing nothing', async () => {
		const s = await season();
		const other = await season();
		const sent = form(s);
		await recordReferral(node(0), sent, clock);
		const before = await stateOf(node(0), s);
		const otherBefore = await stateOf(node(0), other);

		expect(
			await appErrorCode(() =>
				recordReferral(node(1), { ...sent, referrerId: s.people[1].id }, clock)
			)
		).toBe('request_reused');
		// A person of `other` naming `s`: not a member of `s`, and `other` was not chosen for them.
		expect(
			await appErrorCode(() =>
				recordReferral(node(1), form(s, { referrerId: 999_999, seasonId: s.seasonId }), clock)
			)
		).toBe('not_a_member');
		expect(await stateOf(node(0), s)).toEqual(before);
		expect(await stateOf(node(0), other)).toEqual(otherBefore);
	});

	it('a chosen season the person is not in falls back to their latest live season', async () => {
		const s = await season();
		const other = await season();
		const recorded = await recordReferral(node(1), form(s, { seasonId: other.seasonId }), clock);
		expect(recorded.seasonId).toBe(s.seasonId);
		expect((await stateOf(node(0), other)).referrals).toEqual([]);
	});
});
