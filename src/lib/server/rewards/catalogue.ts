import { asc, count, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Tables, Store } from '../db/store';
import { write } from '../db/store';
import { auditInWrite, type Actor } from '../audit/record';
import { conflict, notFound } from '../shared/errors';
import type { ProgrammeInput, RewardInput } from './reward-form';
import { m } from '../../paraglide/messages.js';

// The catalogue (one per organisation), the rewards columns of a season's programme, and the
// lists the store and the console show. On the store (db/store.ts): each command is one write.

export type RewardRow = Tables['reward']['$inferSelect'] & { seasonIds: number[] };

export async function listRewards(
	store: Store,
	options: { activeOnly?: boolean } = {}
): Promise<RewardRow[]> {
	const { reward, rewardSeason } = store.tables;
	const rows = await store.db
		.select()
		.from(reward)
		.where(options.activeOnly ? eq(reward.active, true) : undefined)
		.orderBy(asc(reward.pricePoints), asc(reward.name));
	const links = await store.db.select().from(rewardSeason);
	return rows.map((r) => ({
		...r,
		seasonIds: links.filter((l) => l.rewardId === r.id).map((l) => l.seasonId)
	}));
}

/** Creates (no id) or updates a reward; `picture` is a checked data URL, or undefined to keep it. */
export function saveReward(
	store: Store,
	input: RewardInput,
	picture: string | null | undefined,
	actor: Actor,
	now: number
): Promise<number> {
	const { reward, rewardSeason, season } = store.tables;
	return write(store, async (tx) => {
		const seasonIds = input.seasons.length
			? (
					await tx.select({ id: season.id }).from(season).where(inArray(season.id, input.seasons))
				).map((s) => s.id)
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
			const [created] = await tx
				.insert(reward)
				.values({ ...values, createdAt: now })
				.returning({ id: reward.id });
			id = created.id;
		} else {
			const [updated] = await tx
				.update(reward)
				.set(values)
				.where(eq(reward.id, input.id))
				.returning({ id: reward.id });
			if (!updated) throw notFound('unknown_reward', m.rewards_error_unknown());
			id = updated.id;
			await tx.delete(rewardSeason).where(eq(rewardSeason.rewardId, id));
		}
		if (seasonIds.length)
			await tx
				.insert(rewardSeason)
				.values(seasonIds.map((seasonId) => ({ rewardId: id, seasonId })));
		// Audited in words the log shows right: money as amounts, the price as points.
		await auditInWrite(
			tx,
			store,
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
	});
}

/** Deletes a reward nobody has asked for yet; one with redemptions can only be switched off. */
export function deleteReward(store: Store, id: number, actor: Actor, now: number): Promise<void> {
	const { reward, rewardRedemption } = store.tables;
	return write(store, async (tx) => {
		const [item] = await tx.select().from(reward).where(eq(reward.id, id));
		if (!item) throw notFound('unknown_reward', m.rewards_error_unknown());
		const [used] = await tx
			.select({ n: count() })
			.from(rewardRedemption)
			.where(eq(rewardRedemption.rewardId, id));
		if ((used?.n ?? 0) > 0) throw conflict('reward_in_use', m.rewards_error_in_use());
		await tx.delete(reward).where(eq(reward.id, id));
		await auditInWrite(tx, store, actor, 'reward.delete', `reward:${id}`, { name: item.name }, now);
	});
}

/**
 * Writes the rewards columns of the season's programme (share, budget, point value) and leaves
 * the others (referrals') as they are, or at their defaults when the row is new.
 */
export function saveProgramme(
	store: Store,
	seasonId: number,
	input: ProgrammeInput,
	actor: Actor,
	now: number
): Promise<void> {
	const { season, seasonProgramme } = store.tables;
	return write(store, async (tx) => {
		const [known] = await tx.select({ id: season.id }).from(season).where(eq(season.id, seasonId));
		if (!known) throw notFound('unknown_season', m.rewards_error_season());
		const set = {
			spendSharePercent: input.share,
			rewardBudgetCents: input.budget,
			pointValueCents: input.pointValue,
			updatedAt: now
		};
		await tx
			.insert(seasonProgramme)
			.values({ seasonId, ...set })
			.onConflictDoUpdate({ target: seasonProgramme.seasonId, set });
		await auditInWrite(
			tx,
			store,
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
	});
}

/** A person's redemptions, newest first, with the reward's name. */
export async function redemptionsOf(store: Store, userId: number) {
	const { reward, rewardRedemption } = store.tables;
	return await store.db
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
		.orderBy(desc(rewardRedemption.createdAt), desc(rewardRedemption.id));
}

/** The season's redemptions for the console: pending first (oldest first), then the rest. */
export async function redemptionQueue(store: Store, seasonId: number) {
	const { reward, rewardRedemption, user } = store.tables;
	return await store.db
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
		.limit(200);
}

/** How many requests wait for a decision, in every season (the console's badge). */
export async function pendingCount(store: Store): Promise<number> {
	const { rewardRedemption } = store.tables;
	const [row] = await store.db
		.select({ n: count() })
		.from(rewardRedemption)
		.where(eq(rewardRedemption.status, 'pending'));
	return row?.n ?? 0;
}

/** Every season for the console's pickers, the live ones first, then the newest. */
export async function consoleSeasons(store: Store) {
	const { season } = store.tables;
	return await store.db
		.select({ id: season.id, name: season.name, status: season.status })
		.from(season)
		.orderBy(sql`${season.status} = 'live' desc`, desc(season.startsAt));
}
