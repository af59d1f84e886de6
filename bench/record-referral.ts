// What recording a referral costs on SQLite (#20: referrals/record.ts ported onto the store).
// The awaited `recordReferral(store, …)` (the season, team and settings read through the store,
// then one `write`) against the synchronous body it replaced (base f395663: one
// `db.transaction(…, { behavior: 'immediate' })` with the same reads, `appendEntry` and
// `bumpVersion`), on one file of 200 members, people taken in turn, every referral a new
// request id and customer; variants interleaved, rounds × iterations; prints the median µs per
// referral and the CPU µs per referral.
// Run with `npx tsx bench/record-referral.ts [--rounds 7] [--n 3000]`.
import { and, asc, eq, inArray } from 'drizzle-orm';
import { referral, season, seasonProgramme } from '../src/lib/server/db/schema';
import { recordReferral } from '../src/lib/server/referrals/record';
import { appendEntry } from '../src/lib/server/scoring/ledger';
import { bumpVersion } from '../src/lib/server/scoring/standings';
import { getMembership } from '../src/lib/server/seasons/queries';
import { getLiveSeasonFor } from './lib/before-port';
import { customerKey, lapseDate, REFERRAL_DEFAULTS } from '../src/lib/contest/referral';
import { option } from './lib/args';
import { benchContest } from './lib/contest-file';
import { timeInterleaved, type Variant } from './lib/interleaved';

const ROUNDS = option('rounds', 7);
const N = option('n', 3_000);

const contest = benchContest('referral');
const { db, store } = contest;
const seasonId = contest.seasons[0].id;
const people = contest.people.map((p) => p.id);
let serial = 0;
const input = (i: number) => {
	const n = ++serial;
	return {
		requestId: `bench-${n}`,
		referrerId: people[i % people.length],
		seasonId,
		customerName: `Customer ${n}`,
		customerRef: `C-${n}`,
		contact: null,
		note: null
	};
};

/** The body recordReferral had before the port (a new request id: the replay branch not taken). */
function recordBefore(i: number): number {
	const form = input(i);
	const now = Date.now();
	return db.transaction(
		(tx) => {
			const sent = tx.select().from(referral).where(eq(referral.requestId, form.requestId)).get();
			if (sent) return sent.id;
			const chosen = tx.select().from(season).where(eq(season.id, form.seasonId)).get();
			const owner =
				chosen?.status === 'live' && getMembership(tx, chosen.id, form.referrerId)
					? chosen
					: getLiveSeasonFor(tx, form.referrerId)!;
			const membership = getMembership(tx, owner.id, form.referrerId)!;
			const settings = tx
				.select({
					referralPoints: seasonProgramme.referralPoints,
					referralLapseDays: seasonProgramme.referralLapseDays
				})
				.from(seasonProgramme)
				.where(eq(seasonProgramme.seasonId, owner.id))
				.get() ?? {
				referralPoints: REFERRAL_DEFAULTS.points,
				referralLapseDays: REFERRAL_DEFAULTS.lapseDays
			};
			const key = customerKey(form.customerRef);
			const earlier = key
				? tx
						.select()
						.from(referral)
						.where(
							and(eq(referral.customerKey, key), inArray(referral.status, ['open', 'confirmed']))
						)
						.orderBy(asc(referral.id))
						.get()
				: undefined;
			const ledgerEntryId = appendEntry(
				tx,
				{
					seasonId: owner.id,
					userId: form.referrerId,
					teamId: membership.teamId,
					kind: 'referral',
					points: settings.referralPoints,
					status: 'provisional',
					reason: form.customerName,
					createdById: form.referrerId
				},
				now
			);
			const row = tx
				.insert(referral)
				.values({
					seasonId: owner.id,
					referrerId: form.referrerId,
					customerName: form.customerName,
					customerRef: form.customerRef,
					customerKey: key,
					contact: form.contact,
					note: form.note,
					status: 'open',
					points: settings.referralPoints,
					ledgerEntryId,
					duplicateOfId: earlier?.id ?? null,
					expiresAt: lapseDate(now, settings.referralLapseDays),
					requestId: form.requestId,
					createdAt: now
				})
				.returning()
				.get();
			bumpVersion(tx, owner.id);
			return row.id;
		},
		{ behavior: 'immediate' }
	);
}

const variants: Variant[] = [
	{
		name: 'referral, before (synchronous)',
		ops: N,
		run: () => {
			for (let i = 0; i < N; i++) recordBefore(i);
		}
	},
	{
		name: 'referral, store (awaited)',
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++) await recordReferral(store, input(i));
		}
	}
];

console.log(`${ROUNDS - 1} counted rounds; ${N} referrals per round`);
await timeInterleaved(variants, ROUNDS);
contest.remove();
