// Head-to-head challenges (#17) through their services and the scheduler's job, on a real
// SQLite file and a fake clock: proposals, answers, expiry, stakes, late confirmations and
// reversals before the grace end, the freeze, exactly-once payouts and badges, pairings.
import { read, sqliteStore } from '../../src/lib/server/db/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest, standingsVsLedger } from '../helpers/factories';
import { recordOn } from '../helpers/record-sale';
import { reviewSales } from '../../src/lib/server/scoring/review';
import {
	answerChallenge,
	cancelChallenge,
	createDuel,
	pairAutomatically,
	proposeChallenge,
	setStakeBudget
} from '../../src/lib/server/challenges/commands';
import { advanceChallenges, readChallengeFeed } from '../../src/lib/server/challenges/advance';
import { challengesView } from '../../src/lib/server/challenges/view';
import type { ChallengesView } from '../../src/lib/contest/challenge';
import { stakeBudget } from '../../src/lib/server/challenges/standings';
import { dayKeyOf } from '../../src/lib/contest/zone-calendar';
import { AppError } from '../../src/lib/server/shared/errors';
import { award, badge, challenge, ledgerEntry, season } from '../../src/lib/server/db/schema';
import type { Db } from '../../src/lib/server/db';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

let ctx: ReturnType<typeof tempDb>;
let db: Db;
beforeEach(() => {
	ctx = tempDb();
	db = ctx.db;
});
afterEach(() => ctx.cleanup());

/** The duels boards show (the format view 'challenges'), read through the store. */
async function openDuels(seasonId: number) {
	const view = (await challengesView.read(
		sqliteStore(db),
		seasonId,
		Date.now()
	)) as ChallengesView | null;
	return view?.duels ?? [];
}

/** Midnight UTC of the day after `ms`. */
const nextMidnight = (ms: number) => Math.floor(ms / DAY) * DAY + DAY;

async function contest() {
	const c = await makeContest(db, { teams: 2, people: 4, requireConfirmation: true });
	// Two grace days: a finished duel freezes two days after its period.
	db.update(season).set({ graceDays: 2 }).where(eq(season.id, c.season.id)).run();
	let t = nextMidnight(Date.now()) - 6 * HOUR;
	const clock = () => t;
	const sell = async (id: string, sellerId: number, at: number, sku = 'PHONE') => {
		const { sale } = await recordOn(
			db,
			{
				source: 'api',
				externalId: id,
				seller: { userId: sellerId },
				occurredAt: at,
				lines: [{ sku, quantity: 1 }]
			},
			() => at,
			{ awards: false }
		);
		return sale.id;
	};
	const review = (ids: number[], decision: 'confirm' | 'reverse') =>
		reviewSales(sqliteStore(db), ids, { decision, actor: {}, reason: 'late' }, clock);
	return {
		...c,
		clock,
		at: (ms: number) => (t = ms),
		now: () => t,
		sell,
		review
	};
}

const refusal = async (fn: () => unknown) => {
	try {
		await fn();
	} catch (error) {
		if (error instanceof AppError) return error.code;
		throw error;
	}
	return null;
};

const payouts = (seasonId: number) =>
	db
		.select()
		.from(ledgerEntry)
		.where(and(eq(ledgerEntry.seasonId, seasonId), eq(ledgerEntry.kind, 'challenge')))
		.all();

/** The season's duel items in the boards' feed, newest first. */
async function duelFeed(sid: number) {
	const store = sqliteStore(db);
	return read(store, (tx) => readChallengeFeed(tx, store, sid, 5));
}

describe('a rep challenges a colleague', () => {
	it('goes live, finishes, follows late confirmations and reversals until the grace end, then freezes and pays once', async () => {
		const c = await contest();
		const [ann, bob, cid] = c.people;
		const sid = c.season.id;
		// Ann's confirmed points make a stake possible; the budget allows 40.
		await c.review([await c.sell('old', ann.id, c.now() - HOUR)], 'confirm');
		await setStakeBudget(sqliteStore(db), { seasonId: sid, actorId: ann.id, budget: 40 }, c.clock);
		db.insert(badge)
			.values({
				seasonId: sid,
				name: 'Duellist',
				emoji: '⚔️',
				description: '',
				criterion: { kind: 'duels_won', count: 1 },
				points: 0
			})
			.run();

		const from = nextMidnight(c.now());
		const terms = {
			seasonId: sid,
			userId: ann.id,
			opponentId: bob.id,
			subject: 'user' as const,
			measure: 'points',
			preset: 'custom' as const,
			fromDate: dayKeyOf(from, 'UTC'),
			toDate: dayKeyOf(from, 'UTC'),
			requestId: 'req-1',
			stake: 30
		};
		// Stakes: never more than her spendable points (50) nor the budget left (40).
		expect(
			await refusal(() =>
				proposeChallenge(sqliteStore(db), { ...terms, stake: 45, requestId: 'x1' }, c.clock)
			)
		).toBe('stake_budget');
		await setStakeBudget(sqliteStore(db), { seasonId: sid, actorId: ann.id, budget: 100 }, c.clock);
		expect(
			await refusal(() =>
				proposeChallenge(sqliteStore(db), { ...terms, stake: 60, requestId: 'x2' }, c.clock)
			)
		).toBe('stake_spendable');
		expect(
			await refusal(() =>
				proposeChallenge(
					sqliteStore(db),
					{ ...terms, opponentId: ann.id, requestId: 'x3' },
					c.clock
				)
			)
		).toBe('self');
		expect(
			await refusal(() =>
				proposeChallenge(
					sqliteStore(db),
					{ ...terms, measure: 'category:Nope', requestId: 'x4' },
					c.clock
				)
			)
		).toBe('bad_measure');
		// An activity type the season does not have is refused like an unknown category.
		expect(
			await refusal(() =>
				proposeChallenge(
					sqliteStore(db),
					{ ...terms, measure: 'activity:call', requestId: 'x5' },
					c.clock
				)
			)
		).toBe('bad_measure');
		expect(db.select().from(challenge).all()).toHaveLength(0);

		const made = await proposeChallenge(sqliteStore(db), terms, c.clock);
		expect(made.challenge).toMatchObject({ status: 'proposed', answerBy: from, stakePoints: 30 });
		// The same form again is the same challenge.
		expect(await proposeChallenge(sqliteStore(db), terms, c.clock)).toMatchObject({
			created: false,
			challenge: { id: made.challenge.id }
		});
		expect((await stakeBudget(sqliteStore(db), sid)).left).toBe(70);
		const id = made.challenge.id;
		// Only the challenged person answers.
		expect(
			await refusal(() =>
				answerChallenge(
					sqliteStore(db),
					{ challengeId: id, userId: cid.id, decision: 'accept' },
					c.clock
				)
			)
		).toBe('not_found');
		expect(
			(
				await answerChallenge(
					sqliteStore(db),
					{ challengeId: id, userId: bob.id, decision: 'accept' },
					c.clock
				)
			).status
		).toBe('accepted');
		// A double tap is harmless; a change of mind is too late.
		expect(
			(
				await answerChallenge(
					sqliteStore(db),
					{ challengeId: id, userId: bob.id, decision: 'accept' },
					c.clock
				)
			).status
		).toBe('accepted');
		expect(
			await refusal(() =>
				answerChallenge(
					sqliteStore(db),
					{ challengeId: id, userId: bob.id, decision: 'decline' },
					c.clock
				)
			)
		).toBe('not_open');

		c.at(from + HOUR);
		expect(await advanceChallenges(sqliteStore(db), c.clock)).toEqual({ moved: 1, finalized: 0 });
		const annSale = await c.sell('a1', ann.id, from + 2 * HOUR); // 50, pending
		const annLate = await c.sell('a2', ann.id, from + 3 * HOUR); // 50, pending
		const bobSale = await c.sell('b1', bob.id, from + 4 * HOUR); // 50, pending
		await c.sell('b2', bob.id, from + 5 * HOUR, 'CASE'); // 5, pending
		await c.review([annSale, bobSale], 'confirm');
		// Bob's case is confirmed too: the season ranks by confirmed points.
		await c.review([await c.sell('b3', bob.id, from + 6 * HOUR, 'CASE')], 'confirm');
		let duel = (await openDuels(sid))[0];
		expect(duel).toMatchObject({
			status: 'live',
			challenger: { value: 50 },
			opponent: { value: 55 },
			leaderId: bob.id
		});

		c.at(from + DAY + HOUR);
		expect((await advanceChallenges(sqliteStore(db), c.clock)).moved).toBe(1);
		expect((await openDuels(sid))[0]).toMatchObject({ status: 'finished', leaderId: bob.id });
		expect((await duelFeed(sid))[0].item).toMatchObject({
			kind: 'challenge',
			userId: bob.id,
			provisional: true
		});

		// Within the grace days: Bob's sale is reversed and Ann's late one confirmed.
		c.at(from + DAY + 20 * HOUR);
		await c.review([bobSale], 'reverse');
		await c.review([annLate], 'confirm');
		await advanceChallenges(sqliteStore(db), c.clock);
		duel = (await openDuels(sid))[0];
		expect(duel).toMatchObject({
			status: 'finished',
			challenger: { value: 100 },
			opponent: { value: 5 },
			leaderId: ann.id
		});

		// The grace days are over: frozen, the stake paid, the badge given — once, however often the job runs.
		c.at(from + 3 * DAY);
		expect(await advanceChallenges(sqliteStore(db), c.clock)).toEqual({ moved: 1, finalized: 1 });
		expect(await advanceChallenges(sqliteStore(db), c.clock)).toEqual({ moved: 0, finalized: 0 });
		const frozen = db.select().from(challenge).where(eq(challenge.id, id)).get()!;
		expect(frozen).toMatchObject({
			status: 'final',
			challengerValue: 100,
			opponentValue: 5,
			winnerId: ann.id
		});
		expect(payouts(sid)).toEqual([
			expect.objectContaining({
				userId: ann.id,
				points: 30,
				status: 'confirmed',
				id: frozen.payoutEntryId
			})
		]);
		expect(db.select().from(award).where(eq(award.subjectId, ann.id)).all()).toHaveLength(1);
		expect((await stakeBudget(sqliteStore(db), sid)).left).toBe(70);
		expect((await duelFeed(sid))[0].item).toMatchObject({
			id: `challenge:${id}:final`,
			userId: ann.id,
			points: 30,
			provisional: false
		});

		// After the freeze nothing changes the result.
		await c.review([annSale], 'reverse');
		c.at(from + 9 * DAY);
		await advanceChallenges(sqliteStore(db), c.clock);
		expect(db.select().from(challenge).where(eq(challenge.id, id)).get()).toMatchObject({
			winnerId: ann.id,
			challengerValue: 100
		});
		expect(payouts(sid)).toHaveLength(1);
		expect(await openDuels(sid)).toHaveLength(0);
		const check = standingsVsLedger(db, sid);
		expect(check.stored).toEqual(check.fromLedger);
	});

	it('expires unanswered, can be declined or withdrawn, and a tie is a draw that pays nothing', async () => {
		const c = await contest();
		const [ann, bob, cid, dee] = c.people;
		const sid = c.season.id;
		await setStakeBudget(sqliteStore(db), { seasonId: sid, actorId: ann.id, budget: 100 }, c.clock);
		const base = {
			seasonId: sid,
			subject: 'user' as const,
			measure: 'sales',
			preset: 'today' as const,
			fromDate: '',
			toDate: '',
			stake: 0
		};
		// Today is under way: it waits for an answer until the day ends (sooner than 24 h).
		const today = (
			await proposeChallenge(
				sqliteStore(db),
				{ ...base, userId: ann.id, opponentId: bob.id, requestId: 'r1' },
				c.clock
			)
		).challenge;
		expect(today.answerBy).toBe(today.periodTo);
		const declined = (
			await proposeChallenge(
				sqliteStore(db),
				{ ...base, userId: ann.id, opponentId: cid.id, requestId: 'r2' },
				c.clock
			)
		).challenge;
		expect(
			(
				await answerChallenge(
					sqliteStore(db),
					{ challengeId: declined.id, userId: cid.id, decision: 'decline' },
					c.clock
				)
			).status
		).toBe('declined');
		const withdrawn = (
			await proposeChallenge(
				sqliteStore(db),
				{ ...base, userId: ann.id, opponentId: dee.id, requestId: 'r3' },
				c.clock
			)
		).challenge;
		expect(
			await refusal(() =>
				cancelChallenge(sqliteStore(db), { challengeId: withdrawn.id, userId: dee.id }, c.clock)
			)
		).toBe('not_found');
		expect(
			(
				await cancelChallenge(
					sqliteStore(db),
					{ challengeId: withdrawn.id, userId: ann.id },
					c.clock
				)
			).status
		).toBe('cancelled');
		c.at(today.answerBy);
		await advanceChallenges(sqliteStore(db), c.clock);
		expect(db.select().from(challenge).where(eq(challenge.id, today.id)).get()!.status).toBe(
			'expired'
		);
		expect(
			await refusal(() =>
				answerChallenge(
					sqliteStore(db),
					{ challengeId: today.id, userId: bob.id, decision: 'accept' },
					c.clock
				)
			)
		).toBe('not_open');

		// A manager's duel is accepted at once; equal sales are a draw.
		const from = c.now() + DAY + HOUR;
		const duel = (
			await createDuel(
				sqliteStore(db),
				{
					...base,
					preset: 'custom',
					fromDate: dayKeyOf(from, 'UTC'),
					toDate: dayKeyOf(from, 'UTC'),
					actor: { userId: ann.id },
					challengerId: cid.id,
					opponentId: dee.id,
					requestId: 'm1'
				},
				c.clock
			)
		).challenge;
		expect(duel.status).toBe('accepted');
		await c.sell('c1', cid.id, from + HOUR);
		await c.sell('d1', dee.id, from + 2 * HOUR, 'CASE');
		c.at(from + 4 * DAY);
		await advanceChallenges(sqliteStore(db), c.clock);
		expect(db.select().from(challenge).where(eq(challenge.id, duel.id)).get()).toMatchObject({
			status: 'final',
			winnerId: null
		});
		expect(payouts(sid)).toHaveLength(0);
		expect((await duelFeed(sid))[0].item.duel).toMatchObject({ draw: true });
	});
});

describe('a manager pairs automatically', () => {
	it('pairs ranking neighbours once, and random pairs cover everyone', async () => {
		const c = await contest();
		const [ann, bob, cid, dee] = c.people;
		const sid = c.season.id;
		// Ranking: dee 100, bob 50, ann 5, cid 0.
		await c.review(
			[
				await c.sell('d1', dee.id, c.now() - 3 * HOUR),
				await c.sell('d2', dee.id, c.now() - 2 * HOUR),
				await c.sell('b1', bob.id, c.now() - HOUR),
				await c.sell('a1', ann.id, c.now() - HOUR, 'CASE')
			],
			'confirm'
		);
		const input = {
			seasonId: sid,
			actorId: ann.id,
			subject: 'user' as const,
			measure: 'points',
			preset: 'week' as const,
			fromDate: '',
			toDate: '',
			mode: 'neighbours' as const,
			requestId: 'p1'
		};
		const pairing = await pairAutomatically(sqliteStore(db), input, c.clock);
		expect(pairing.created.map((d) => [d.challengerId, d.opponentId, d.status])).toEqual([
			[dee.id, bob.id, 'live'],
			[ann.id, cid.id, 'live']
		]);
		expect((await pairAutomatically(sqliteStore(db), input, c.clock)).created).toHaveLength(0);
		const random = await pairAutomatically(
			sqliteStore(db),
			{ ...input, mode: 'random', requestId: 'p2', random: () => 0.5 },
			c.clock
		);
		expect(random.created.flatMap((d) => [d.challengerId, d.opponentId]).sort()).toEqual(
			[ann.id, bob.id, cid.id, dee.id].sort()
		);
		// Teams pair too.
		expect(
			(
				await pairAutomatically(
					sqliteStore(db),
					{ ...input, subject: 'team', requestId: 'p3' },
					c.clock
				)
			).created
		).toHaveLength(1);
	});
});
