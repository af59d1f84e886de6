import { and, eq, inArray } from 'drizzle-orm';
import type { RedemptionStatus } from '../db/schema';
import type { Store, StoreDb } from '../db/store';
import { balanceOf, budgetOf, type Balance, type Budget } from '../../contest/rewards';

// Balances and the budget, rebuilt on every read from the standings (which the ledger keeps) and
// the season's redemptions: spending is never stored as a number of its own. Read through the
// store (db/store.ts): `db` is the store's database or a write's transaction.

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

type SpentRow = { userId: number; points: number; costCents: number; status: RedemptionStatus };

/** The rewards columns of the season's programme (its defaults while no row exists). */
export async function programmeOf(db: StoreDb, store: Store, seasonId: number): Promise<Programme> {
	const { seasonProgramme: programme } = store.tables;
	const [row] = await db
		.select({
			spendSharePercent: programme.spendSharePercent,
			rewardBudgetCents: programme.rewardBudgetCents,
			pointValueCents: programme.pointValueCents
		})
		.from(programme)
		.where(eq(programme.seasonId, seasonId));
	return row ?? DEFAULT_PROGRAMME;
}

async function confirmedPoints(db: StoreDb, store: Store, seasonId: number, userIds?: number[]) {
	const { standing: standings } = store.tables;
	const rows = await db
		.select({ userId: standings.subjectId, points: standings.confirmedPoints })
		.from(standings)
		.where(
			and(
				eq(standings.seasonId, seasonId),
				eq(standings.subjectType, 'user'),
				userIds ? inArray(standings.subjectId, userIds) : undefined
			)
		);
	return new Map(rows.map((r) => [r.userId, r.points]));
}

function seasonRedemptions(
	db: StoreDb,
	store: Store,
	seasonId: number,
	userId?: number
): Promise<SpentRow[]> {
	const { rewardRedemption: redemption } = store.tables;
	return db
		.select({
			userId: redemption.userId,
			points: redemption.points,
			costCents: redemption.costCents,
			status: redemption.status
		})
		.from(redemption)
		.where(
			and(
				eq(redemption.seasonId, seasonId),
				userId === undefined ? undefined : eq(redemption.userId, userId)
			)
		);
}

/** One person's balance in one season. */
export async function balanceFor(
	db: StoreDb,
	store: Store,
	seasonId: number,
	userId: number
): Promise<Balance> {
	const confirmed = (await confirmedPoints(db, store, seasonId, [userId])).get(userId) ?? 0;
	const { spendSharePercent } = await programmeOf(db, store, seasonId);
	return balanceOf(
		confirmed,
		spendSharePercent,
		await seasonRedemptions(db, store, seasonId, userId)
	);
}

/** Every member's balance in the season (members without points included), by user id. */
export async function balancesOf(
	db: StoreDb,
	store: Store,
	seasonId: number
): Promise<Map<number, Balance>> {
	const { seasonMember: member } = store.tables;
	const { spendSharePercent } = await programmeOf(db, store, seasonId);
	const confirmed = await confirmedPoints(db, store, seasonId);
	const members = (
		await db.select({ userId: member.userId }).from(member).where(eq(member.seasonId, seasonId))
	).map((r) => r.userId);
	// Note: Map.groupBy needs Node 21; the machines run Node 20.
	const redemptions = new Map<number, SpentRow[]>();
	for (const r of await seasonRedemptions(db, store, seasonId))
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
export async function budgetFor(db: StoreDb, store: Store, seasonId: number): Promise<Budget> {
	const programme = await programmeOf(db, store, seasonId);
	return budgetOf({
		budgetCents: programme.rewardBudgetCents,
		pointValueCents: programme.pointValueCents,
		redemptions: await seasonRedemptions(db, store, seasonId),
		balances: [...(await balancesOf(db, store, seasonId)).values()].map((b) => b.balance)
	});
}
