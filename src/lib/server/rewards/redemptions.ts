import { and, count, eq, gt, inArray, ne, sql } from 'drizzle-orm';
import type { RedemptionStatus } from '../db/schema';
import { write, type Store, type StoreDb, type Tables } from '../db/store';
import { auditInWrite, type Actor } from '../audit/record';
import { AppError, conflict, notFound } from '../shared/errors';
import { approvalFits, redeemRefusal, type RedeemRefusal } from '../../contest/rewards';
import { balanceFor, budgetFor } from './balances';
import { queueRedemptionMailInWrite } from './mails';
import { m } from '../../paraglide/messages.js';

// The four steps of a redemption, each one write (db/store.ts; the CLI or another node may
// write too): request, approve, reject, fulfil. A request takes its stock item with a conditional
// UPDATE and holds its points until rejected; a decision moves the status only from the status it
// read, so of two racing decisions exactly one wins and the other is told so. The mail a decision
// sends is queued in the same write (the outbox sends it after the commit).

/** Seasons whose points can be spent: the live one and those that ended (not drafts, not archived). */
const SPENDING_STATUSES = ['live', 'ended'] as const;

export type Redemption = Tables['rewardRedemption']['$inferSelect'];

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
export async function usableIn(
	db: StoreDb,
	store: Store,
	rewardId: number,
	seasonId: number
): Promise<boolean> {
	const { rewardSeason } = store.tables;
	const seasons = await db
		.select({ seasonId: rewardSeason.seasonId })
		.from(rewardSeason)
		.where(eq(rewardSeason.rewardId, rewardId));
	return seasons.length === 0 || seasons.some((s) => s.seasonId === seasonId);
}

/** The seasons a person can spend in: theirs, live or ended. */
export async function spendingSeasons(db: StoreDb, store: Store, userId: number) {
	const { season, seasonMember } = store.tables;
	return await db
		.select({ id: season.id, name: season.name, status: season.status, endsAt: season.endsAt })
		.from(seasonMember)
		.innerJoin(season, eq(season.id, seasonMember.seasonId))
		.where(and(eq(seasonMember.userId, userId), inArray(season.status, [...SPENDING_STATUSES])))
		.orderBy(sql`${season.status} = 'live' desc`, sql`${season.endsAt} desc`);
}

/** The request id as stored: scoped to the person, so that nobody can collide with another's. */
const storedRequestId = (userId: number, requestId: string) => `${userId}:${requestId}`;

/**
 * Asks for a reward with a season's points. The same requestId again (a double tap, a resend)
 * returns the first redemption, `created: false`.
 */
export function requestRedemption(
	store: Store,
	input: { userId: number; rewardId: number; seasonId: number; requestId: string },
	now: number
): Promise<{ redemption: Redemption; created: boolean }> {
	const { reward, rewardRedemption } = store.tables;
	const requestId = storedRequestId(input.userId, input.requestId);
	return write(store, async (tx) => {
		const [earlier] = await tx
			.select()
			.from(rewardRedemption)
			.where(eq(rewardRedemption.requestId, requestId));
		if (earlier) return { redemption: earlier, created: false };
		const [item] = await tx.select().from(reward).where(eq(reward.id, input.rewardId));
		if (!item) throw notFound('unknown_reward', m.rewards_error_unknown());
		const seasons = await spendingSeasons(tx, store, input.userId);
		if (!seasons.some((s) => s.id === input.seasonId))
			throw conflict('not_a_member', m.rewards_error_season());
		const [already] = await tx
			.select({ n: count() })
			.from(rewardRedemption)
			.where(
				and(
					eq(rewardRedemption.rewardId, item.id),
					eq(rewardRedemption.userId, input.userId),
					ne(rewardRedemption.status, 'rejected')
				)
			);
		const why = redeemRefusal({
			active: item.active,
			usableInSeason: await usableIn(tx, store, item.id, input.seasonId),
			stock: item.stock,
			perPersonLimit: item.perPersonLimit,
			alreadyRedeemed: already?.n ?? 0,
			pricePoints: item.pricePoints,
			balance: (await balanceFor(tx, store, input.seasonId, input.userId)).balance
		});
		if (why) throw refusalError(why);
		if (item.stock !== null) {
			// The conditional take: whatever raced, stock never goes below zero.
			const taken = await tx
				.update(reward)
				.set({ stock: sql`${reward.stock} - 1`, updatedAt: now })
				.where(and(eq(reward.id, item.id), gt(reward.stock, 0)))
				.returning({ id: reward.id });
			if (taken.length === 0) throw refusalError('out_of_stock');
		}
		const [redemption] = await tx
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
			.returning();
		await auditInWrite(
			tx,
			store,
			{ userId: input.userId },
			'redemption.request',
			`redemption:${redemption.id}`,
			{ name: item.name, spentPoints: item.pricePoints, seasonId: input.seasonId },
			now
		);
		return { redemption, created: true };
	});
}

async function loadForDecision(tx: StoreDb, store: Store, id: number, expected: RedemptionStatus) {
	const { reward, rewardRedemption } = store.tables;
	const [row] = await tx
		.select({ redemption: rewardRedemption, rewardName: reward.name, stock: reward.stock })
		.from(rewardRedemption)
		.innerJoin(reward, eq(reward.id, rewardRedemption.rewardId))
		.where(eq(rewardRedemption.id, id));
	if (!row) throw notFound('unknown_redemption', m.rewards_error_unknown_redemption());
	if (row.redemption.status !== expected)
		throw conflict('already_decided', m.rewards_error_already_decided());
	return row;
}

/** Moves a redemption from `from` to `to` only if no one moved it first. */
async function move(
	tx: StoreDb,
	store: Store,
	id: number,
	from: RedemptionStatus,
	set: Partial<Redemption> & { status: RedemptionStatus }
): Promise<Redemption> {
	const { rewardRedemption } = store.tables;
	const [moved] = await tx
		.update(rewardRedemption)
		.set(set)
		.where(and(eq(rewardRedemption.id, id), eq(rewardRedemption.status, from)))
		.returning();
	if (!moved) throw conflict('already_decided', m.rewards_error_already_decided());
	return moved;
}

/** Approves a pending redemption if its cost fits in what is left of the season's budget. */
export function approveRedemption(
	store: Store,
	id: number,
	actor: Actor,
	now: number
): Promise<Redemption> {
	return write(store, async (tx) => {
		const { redemption, rewardName } = await loadForDecision(tx, store, id, 'pending');
		const budget = await budgetFor(tx, store, redemption.seasonId);
		if (!approvalFits(budget, redemption.costCents))
			throw conflict('over_budget', m.rewards_error_over_budget(), {
				details: {
					budgetCents: budget.budgetCents,
					usedCents: budget.approvedCents + budget.fulfilledCents,
					costCents: redemption.costCents
				}
			});
		const moved = await move(tx, store, id, 'pending', {
			status: 'approved',
			decidedById: actor.userId ?? null,
			decidedAt: now
		});
		await auditInWrite(
			tx,
			store,
			actor,
			'redemption.approve',
			`redemption:${id}`,
			{ name: rewardName },
			now
		);
		await queueRedemptionMailInWrite(
			tx,
			store,
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
	});
}

/** Rejects a pending redemption with a reason: its stock item and its points come back. */
export function rejectRedemption(
	store: Store,
	id: number,
	reason: string,
	actor: Actor,
	now: number
): Promise<Redemption> {
	const { reward } = store.tables;
	return write(store, async (tx) => {
		const { redemption, rewardName } = await loadForDecision(tx, store, id, 'pending');
		const moved = await move(tx, store, id, 'pending', {
			status: 'rejected',
			reason,
			decidedById: actor.userId ?? null,
			decidedAt: now
		});
		await tx
			.update(reward)
			.set({ stock: sql`${reward.stock} + 1`, updatedAt: now })
			.where(and(eq(reward.id, redemption.rewardId), sql`${reward.stock} is not null`));
		await auditInWrite(
			tx,
			store,
			actor,
			'redemption.reject',
			`redemption:${id}`,
			{ name: rewardName, reason },
			now
		);
		await queueRedemptionMailInWrite(
			tx,
			store,
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
	});
}

/** Marks an approved redemption as handed over. */
export function fulfilRedemption(
	store: Store,
	id: number,
	actor: Actor,
	now: number
): Promise<Redemption> {
	return write(store, async (tx) => {
		const { rewardName } = await loadForDecision(tx, store, id, 'approved');
		const moved = await move(tx, store, id, 'approved', {
			status: 'fulfilled',
			fulfilledById: actor.userId ?? null,
			fulfilledAt: now
		});
		await auditInWrite(
			tx,
			store,
			actor,
			'redemption.fulfil',
			`redemption:${id}`,
			{ name: rewardName },
			now
		);
		await queueRedemptionMailInWrite(
			tx,
			store,
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
	});
}
