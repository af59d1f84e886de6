import { and, count, eq, gt, inArray, ne, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import {
	reward,
	rewardRedemption,
	rewardSeason,
	season,
	seasonMember,
	type RedemptionStatus
} from '../db/schema';
import { audit, type Actor } from '../audit/record';
import { AppError, conflict, notFound } from '../shared/errors';
import { approvalFits, redeemRefusal, type RedeemRefusal } from '../../contest/rewards';
import { balanceFor, budgetFor } from './balances';
import { queueRedemptionMail } from './mails';
import { m } from '../../paraglide/messages.js';

// The four steps of a redemption, each one immediate transaction (the CLI or another node may
// write too): request, approve, reject, fulfil. A request takes its stock item with a conditional
// UPDATE and holds its points until rejected; a decision moves the status only from the status it
// read, so of two racing decisions exactly one wins and the other is told so.

/** Seasons whose points can be spent: the live one and those that ended (not drafts, not archived). */
const SPENDING_STATUSES = ['live', 'ended'] as const;

export type Redemption = typeof rewardRedemption.$inferSelect;

function refusalError(why: RedeemRefusal): AppError {
	switch (why) {
		case 'inactive':
			return conflict('reward_inactive', m.rewards_error_inactive());
		case 'other_season':
			return conflict('reward_other_season', m.rewards_error_other_season());
		case 'out_of_stock':
			return conflict('out_of_stock', m.rewards_error_out_of_stock());
		case 'limit':
			return conflict('limit_reached', m.rewards_error_limit());
		case 'balance':
			return conflict('not_enough_points', m.rewards_error_balance());
	}
}

/** Whether the reward can be bought with the season's points (no season listed: every season). */
export function usableIn(db: Queryable, rewardId: number, seasonId: number): boolean {
	const seasons = db
		.select({ seasonId: rewardSeason.seasonId })
		.from(rewardSeason)
		.where(eq(rewardSeason.rewardId, rewardId))
		.all();
	return seasons.length === 0 || seasons.some((s) => s.seasonId === seasonId);
}

/** The seasons a person can spend in: theirs, live or ended. */
export function spendingSeasons(db: Queryable, userId: number) {
	return db
		.select({ id: season.id, name: season.name, status: season.status, endsAt: season.endsAt })
		.from(seasonMember)
		.innerJoin(season, eq(season.id, seasonMember.seasonId))
		.where(and(eq(seasonMember.userId, userId), inArray(season.status, [...SPENDING_STATUSES])))
		.orderBy(sql`${season.status} = 'live' desc`, sql`${season.endsAt} desc`)
		.all();
}

/** The request id as stored: scoped to the person, so that nobody can collide with another's. */
const storedRequestId = (userId: number, requestId: string) => `${userId}:${requestId}`;

/**
 * Asks for a reward with a season's points. The same requestId again (a double tap, a resend)
 * returns the first redemption, `created: false`.
 */
export function requestRedemption(
	db: Db,
	input: { userId: number; rewardId: number; seasonId: number; requestId: string },
	now: number
): { redemption: Redemption; created: boolean } {
	const requestId = storedRequestId(input.userId, input.requestId);
	return db.transaction(
		(tx) => {
			const earlier = tx
				.select()
				.from(rewardRedemption)
				.where(eq(rewardRedemption.requestId, requestId))
				.get();
			if (earlier) return { redemption: earlier, created: false };
			const item = tx.select().from(reward).where(eq(reward.id, input.rewardId)).get();
			if (!item) throw notFound('unknown_reward', m.rewards_error_unknown());
			const seasons = spendingSeasons(tx, input.userId);
			if (!seasons.some((s) => s.id === input.seasonId))
				throw conflict('not_a_member', m.rewards_error_season());
			const already =
				tx
					.select({ n: count() })
					.from(rewardRedemption)
					.where(
						and(
							eq(rewardRedemption.rewardId, item.id),
							eq(rewardRedemption.userId, input.userId),
							ne(rewardRedemption.status, 'rejected')
						)
					)
					.get()?.n ?? 0;
			const why = redeemRefusal({
				active: item.active,
				usableInSeason: usableIn(tx, item.id, input.seasonId),
				stock: item.stock,
				perPersonLimit: item.perPersonLimit,
				alreadyRedeemed: already,
				pricePoints: item.pricePoints,
				balance: balanceFor(tx, input.seasonId, input.userId).balance
			});
			if (why) throw refusalError(why);
			if (item.stock !== null) {
				// The conditional take: whatever raced, stock never goes below zero.
				const taken = tx
					.update(reward)
					.set({ stock: sql`${reward.stock} - 1`, updatedAt: now })
					.where(and(eq(reward.id, item.id), gt(reward.stock, 0)))
					.returning({ id: reward.id })
					.get();
				if (!taken) throw refusalError('out_of_stock');
			}
			const redemption = tx
				.insert(rewardRedemption)
				.values({
					rewardId: item.id,
					userId: input.userId,
					seasonId: input.seasonId,
					points: item.pricePoints,
					costCents: item.costCents,
					status: 'pending',
					requestId,
					createdAt: now
				})
				.returning()
				.get();
			audit(
				tx,
				{ userId: input.userId },
				'redemption.request',
				`redemption:${redemption.id}`,
				{ name: item.name, spentPoints: item.pricePoints, seasonId: input.seasonId },
				now
			);
			return { redemption, created: true };
		},
		{ behavior: 'immediate' }
	);
}

function loadForDecision(tx: Queryable, id: number, expected: RedemptionStatus) {
	const row = tx
		.select({ redemption: rewardRedemption, rewardName: reward.name, stock: reward.stock })
		.from(rewardRedemption)
		.innerJoin(reward, eq(reward.id, rewardRedemption.rewardId))
		.where(eq(rewardRedemption.id, id))
		.get();
	if (!row) throw notFound('unknown_redemption', m.rewards_error_unknown_redemption());
	if (row.redemption.status !== expected)
		throw conflict('already_decided', m.rewards_error_already_decided());
	return row;
}

/** Moves a redemption from `from` to `to` only if no one moved it first. */
function move(
	tx: Queryable,
	id: number,
	from: RedemptionStatus,
	set: Partial<Redemption> & { status: RedemptionStatus }
) {
	const moved = tx
		.update(rewardRedemption)
		.set(set)
		.where(and(eq(rewardRedemption.id, id), eq(rewardRedemption.status, from)))
		.returning()
		.get();
	if (!moved) throw conflict('already_decided', m.rewards_error_already_decided());
	return moved;
}

/** Approves a pending redemption if its cost fits in what is left of the season's budget. */
export function approveRedemption(db: Db, id: number, actor: Actor, now: number): Redemption {
	return db.transaction(
		(tx) => {
			const { redemption, rewardName } = loadForDecision(tx, id, 'pending');
			const budget = budgetFor(tx, redemption.seasonId);
			if (!approvalFits(budget, redemption.costCents))
				throw conflict('over_budget', m.rewards_error_over_budget(), {
					details: {
						budgetCents: budget.budgetCents,
						usedCents: budget.approvedCents + budget.fulfilledCents,
						costCents: redemption.costCents
					}
				});
			const moved = move(tx, id, 'pending', {
				status: 'approved',
				decidedById: actor.userId ?? null,
				decidedAt: now
			});
			audit(tx, actor, 'redemption.approve', `redemption:${id}`, { name: rewardName }, now);
			queueRedemptionMail(
				tx,
				{
					redemptionId: id,
					userId: moved.userId,
					news: 'approved',
					reward: rewardName,
					points: moved.points
				},
				now
			);
			return moved;
		},
		{ behavior: 'immediate' }
	);
}

/** Rejects a pending redemption with a reason: its stock item and its points come back. */
export function rejectRedemption(
	db: Db,
	id: number,
	reason: string,
	actor: Actor,
	now: number
): Redemption {
	return db.transaction(
		(tx) => {
			const { redemption, rewardName } = loadForDecision(tx, id, 'pending');
			const moved = move(tx, id, 'pending', {
				status: 'rejected',
				reason,
				decidedById: actor.userId ?? null,
				decidedAt: now
			});
			tx.update(reward)
				.set({ stock: sql`${reward.stock} + 1`, updatedAt: now })
				.where(and(eq(reward.id, redemption.rewardId), sql`${reward.stock} is not null`))
				.run();
			audit(tx, actor, 'redemption.reject', `redemption:${id}`, { name: rewardName, reason }, now);
			queueRedemptionMail(
				tx,
				{
					redemptionId: id,
					userId: moved.userId,
					news: 'rejected',
					reward: rewardName,
					points: moved.points,
					reason
				},
				now
			);
			return moved;
		},
		{ behavior: 'immediate' }
	);
}

/** Marks an approved redemption as handed over. */
export function fulfilRedemption(db: Db, id: number, actor: Actor, now: number): Redemption {
	return db.transaction(
		(tx) => {
			const { rewardName } = loadForDecision(tx, id, 'approved');
			const moved = move(tx, id, 'approved', {
				status: 'fulfilled',
				fulfilledById: actor.userId ?? null,
				fulfilledAt: now
			});
			audit(tx, actor, 'redemption.fulfil', `redemption:${id}`, { name: rewardName }, now);
			queueRedemptionMail(
				tx,
				{
					redemptionId: id,
					userId: moved.userId,
					news: 'fulfilled',
					reward: rewardName,
					points: moved.points
				},
				now
			);
			return moved;
		},
		{ behavior: 'immediate' }
	);
}
