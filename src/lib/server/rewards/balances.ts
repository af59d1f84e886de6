import { and, eq, inArray } from 'drizzle-orm';
import type { Queryable } from '../db';
import { rewardRedemption, seasonMember, seasonProgramme, standing } from '../db/schema';
import { balanceOf, budgetOf, type Balance, type Budget } from '../../contest/rewards';

// Balances and the budget, rebuilt on every read from the standings (which the ledger keeps) and
// the season's redemptions: spending is never stored as a number of its own.

export interface Programme {
	spendSharePercent: number;
	rewardBudgetCents: number | null;
	pointValueCents: number;
}

const DEFAULT_PROGRAMME: Programme = {
	spendSharePercent: 100,
	rewardBudgetCents: null,
	pointValueCents: 1
};

/** The rewards columns of the season's programme (its defaults while no row exists). */
export function programmeOf(db: Queryable, seasonId: number): Programme {
	return (
		db
			.select({
				spendSharePercent: seasonProgramme.spendSharePercent,
				rewardBudgetCents: seasonProgramme.rewardBudgetCents,
				pointValueCents: seasonProgramme.pointValueCents
			})
			.from(seasonProgramme)
			.where(eq(seasonProgramme.seasonId, seasonId))
			.get() ?? DEFAULT_PROGRAMME
	);
}

function confirmedPoints(db: Queryable, seasonId: number, userIds?: number[]) {
	return new Map(
		db
			.select({ userId: standing.subjectId, points: standing.confirmedPoints })
			.from(standing)
			.where(
				and(
					eq(standing.seasonId, seasonId),
					eq(standing.subjectType, 'user'),
					userIds ? inArray(standing.subjectId, userIds) : undefined
				)
			)
			.all()
			.map((r) => [r.userId, r.points])
	);
}

function seasonRedemptions(db: Queryable, seasonId: number, userId?: number) {
	return db
		.select({
			userId: rewardRedemption.userId,
			points: rewardRedemption.points,
			costCents: rewardRedemption.costCents,
			status: rewardRedemption.status
		})
		.from(rewardRedemption)
		.where(
			and(
				eq(rewardRedemption.seasonId, seasonId),
				userId === undefined ? undefined : eq(rewardRedemption.userId, userId)
			)
		)
		.all();
}

/** One person's balance in one season. */
export function balanceFor(db: Queryable, seasonId: number, userId: number): Balance {
	const confirmed = confirmedPoints(db, seasonId, [userId]).get(userId) ?? 0;
	const { spendSharePercent } = programmeOf(db, seasonId);
	return balanceOf(confirmed, spendSharePercent, seasonRedemptions(db, seasonId, userId));
}

/** Every member's balance in the season (members without points included), by user id. */
export function balancesOf(db: Queryable, seasonId: number): Map<number, Balance> {
	const { spendSharePercent } = programmeOf(db, seasonId);
	const confirmed = confirmedPoints(db, seasonId);
	const members = db
		.select({ userId: seasonMember.userId })
		.from(seasonMember)
		.where(eq(seasonMember.seasonId, seasonId))
		.all()
		.map((r) => r.userId);
	// Note: Map.groupBy needs Node 21; the machines run Node 20.
	const redemptions = new Map<number, ReturnType<typeof seasonRedemptions>>();
	for (const r of seasonRedemptions(db, seasonId))
		redemptions.set(r.userId, [...(redemptions.get(r.userId) ?? []), r]);
	const ids = new Set([...members, ...confirmed.keys(), ...redemptions.keys()]);
	const balances = new Map<number, Balance>();
	for (const id of ids)
		balances.set(
			id,
			balanceOf(confirmed.get(id) ?? 0, spendSharePercent, redemptions.get(id) ?? [])
		);
	return balances;
}

/** Where the season's reward budget stands. */
export function budgetFor(db: Queryable, seasonId: number): Budget {
	const programme = programmeOf(db, seasonId);
	return budgetOf({
		budgetCents: programme.rewardBudgetCents,
		pointValueCents: programme.pointValueCents,
		redemptions: seasonRedemptions(db, seasonId),
		balances: [...balancesOf(db, seasonId).values()].map((b) => b.balance)
	});
}
