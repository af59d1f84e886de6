import { asc, count, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import {
	reward,
	rewardRedemption,
	rewardSeason,
	season,
	seasonProgramme,
	user
} from '../db/schema';
import { audit, type Actor } from '../audit/record';
import { conflict, notFound } from '../shared/errors';
import type { ProgrammeInput, RewardInput } from './reward-form';
import { m } from '../../paraglide/messages.js';

// The catalogue (one per organisation), the rewards columns of a season's programme, and the
// lists the store and the console show.

export type RewardRow = typeof reward.$inferSelect & { seasonIds: number[] };

export function listRewards(db: Queryable, options: { activeOnly?: boolean } = {}): RewardRow[] {
	const rows = db
		.select()
		.from(reward)
		.where(options.activeOnly ? eq(reward.active, true) : undefined)
		.orderBy(asc(reward.pricePoints), asc(reward.name))
		.all();
	const links = db.select().from(rewardSeason).all();
	return rows.map((r) => ({
		...r,
		seasonIds: links.filter((l) => l.rewardId === r.id).map((l) => l.seasonId)
	}));
}

/** Creates (no id) or updates a reward; `picture` is a checked data URL, or undefined to keep it. */
export function saveReward(
	db: Db,
	input: RewardInput,
	picture: string | null | undefined,
	actor: Actor,
	now: number
): number {
	return db.transaction(
		(tx) => {
			const seasonIds = input.seasons.length
				? tx
						.select({ id: season.id })
						.from(season)
						.where(inArray(season.id, input.seasons))
						.all()
						.map((s) => s.id)
				: [];
			const values = {
				name: input.name,
				description: input.description || null,
				pricePoints: input.pricePoints,
				costCents: input.cost,
				stock: input.stock,
				perPersonLimit: input.perPersonLimit,
				active: input.active,
				updatedAt: now,
				...(picture !== undefined && { pictureUrl: picture }),
				...(input.removePicture && picture === undefined && { pictureUrl: null })
			};
			let id: number;
			if (input.id === null) {
				id = tx
					.insert(reward)
					.values({ ...values, createdAt: now })
					.returning({ id: reward.id })
					.get().id;
			} else {
				const updated = tx
					.update(reward)
					.set(values)
					.where(eq(reward.id, input.id))
					.returning({ id: reward.id })
					.get();
				if (!updated) throw notFound('unknown_reward', m.rewards_error_unknown());
				id = updated.id;
				tx.delete(rewardSeason).where(eq(rewardSeason.rewardId, id)).run();
			}
			if (seasonIds.length)
				tx.insert(rewardSeason)
					.values(seasonIds.map((seasonId) => ({ rewardId: id, seasonId })))
					.run();
			// Audited in words the log shows right: money as amounts, the price as points.
			audit(
				tx,
				actor,
				input.id === null ? 'reward.create' : 'reward.update',
				`reward:${id}`,
				{
					name: values.name,
					pointsEach: values.pricePoints,
					costAmount: values.costCents,
					stock: values.stock,
					perPersonLimit: values.perPersonLimit,
					active: values.active,
					seasons: seasonIds
				},
				now
			);
			return id;
		},
		{ behavior: 'immediate' }
	);
}

/** Deletes a reward nobody has asked for yet; one with redemptions can only be switched off. */
export function deleteReward(db: Db, id: number, actor: Actor, now: number): void {
	db.transaction(
		(tx) => {
			const item = tx.select().from(reward).where(eq(reward.id, id)).get();
			if (!item) throw notFound('unknown_reward', m.rewards_error_unknown());
			const used =
				tx
					.select({ n: count() })
					.from(rewardRedemption)
					.where(eq(rewardRedemption.rewardId, id))
					.get()?.n ?? 0;
			if (used > 0) throw conflict('reward_in_use', m.rewards_error_in_use());
			tx.delete(reward).where(eq(reward.id, id)).run();
			audit(tx, actor, 'reward.delete', `reward:${id}`, { name: item.name }, now);
		},
		{ behavior: 'immediate' }
	);
}

/**
 * Writes the rewards columns of the season's programme (share, budget, point value) and leaves
 * the others (referrals') as they are, or at their defaults when the row is new.
 */
export function saveProgramme(
	db: Db,
	seasonId: number,
	input: ProgrammeInput,
	actor: Actor,
	now: number
): void {
	db.transaction(
		(tx) => {
			if (!tx.select({ id: season.id }).from(season).where(eq(season.id, seasonId)).get())
				throw notFound('unknown_season', m.rewards_error_season());
			const set = {
				spendSharePercent: input.share,
				rewardBudgetCents: input.budget,
				pointValueCents: input.pointValue,
				updatedAt: now
			};
			tx.insert(seasonProgramme)
				.values({ seasonId, ...set })
				.onConflictDoUpdate({ target: seasonProgramme.seasonId, set })
				.run();
			audit(
				tx,
				actor,
				'season.rewards_budget',
				`season:${seasonId}`,
				{
					spendSharePercent: input.share,
					budgetAmount: input.budget,
					pointValueAmount: input.pointValue
				},
				now
			);
		},
		{ behavior: 'immediate' }
	);
}

/** A person's redemptions, newest first, with the reward's name. */
export function redemptionsOf(db: Queryable, userId: number) {
	return db
		.select({
			id: rewardRedemption.id,
			reward: reward.name,
			seasonId: rewardRedemption.seasonId,
			points: rewardRedemption.points,
			status: rewardRedemption.status,
			reason: rewardRedemption.reason,
			createdAt: rewardRedemption.createdAt,
			decidedAt: rewardRedemption.decidedAt,
			fulfilledAt: rewardRedemption.fulfilledAt
		})
		.from(rewardRedemption)
		.innerJoin(reward, eq(reward.id, rewardRedemption.rewardId))
		.where(eq(rewardRedemption.userId, userId))
		.orderBy(desc(rewardRedemption.createdAt), desc(rewardRedemption.id))
		.all();
}

/** The season's redemptions for the console: pending first (oldest first), then the rest. */
export function redemptionQueue(db: Queryable, seasonId: number) {
	return db
		.select({
			id: rewardRedemption.id,
			reward: reward.name,
			person: user.displayName,
			email: user.email,
			points: rewardRedemption.points,
			costCents: rewardRedemption.costCents,
			status: rewardRedemption.status,
			reason: rewardRedemption.reason,
			createdAt: rewardRedemption.createdAt
		})
		.from(rewardRedemption)
		.innerJoin(reward, eq(reward.id, rewardRedemption.rewardId))
		.innerJoin(user, eq(user.id, rewardRedemption.userId))
		.where(eq(rewardRedemption.seasonId, seasonId))
		.orderBy(
			sql`case ${rewardRedemption.status} when 'pending' then 0 when 'approved' then 1 else 2 end`,
			sql`case when ${rewardRedemption.status} in ('pending', 'approved') then ${rewardRedemption.createdAt} else -${rewardRedemption.createdAt} end`
		)
		.limit(200)
		.all();
}

/** How many requests wait for a decision, in every season (the console's badge). */
export function pendingCount(db: Queryable): number {
	return (
		db
			.select({ n: count() })
			.from(rewardRedemption)
			.where(eq(rewardRedemption.status, 'pending'))
			.get()?.n ?? 0
	);
}

/** Every season for the console's pickers, the live ones first, then the newest. */
export function consoleSeasons(db: Queryable) {
	return db
		.select({ id: season.id, name: season.name, status: season.status })
		.from(season)
		.orderBy(sql`${season.status} = 'live' desc`, desc(season.startsAt))
		.all();
}
