import { and, eq, ne } from 'drizzle-orm';
import type { Store } from '../db/store';
import { balanceFor, programmeOf } from './balances';
import { listRewards, redemptionsOf } from './catalogue';
import { spendingSeasons, usableIn } from './redemptions';

// What the store page shows one person: their balance in each season they can spend in, the
// rewards the chosen season's points can buy (with how many they already have), their requests.

export async function storeFor(store: Store, userId: number, askedSeasonId: number | null) {
	const { rewardRedemption } = store.tables;
	const seasons = await Promise.all(
		(await spendingSeasons(store.db, store, userId)).map(async (s) => ({
			...s,
			balance: await balanceFor(store.db, store, s.id, userId)
		}))
	);
	const chosen = seasons.find((s) => s.id === askedSeasonId) ?? seasons[0] ?? null;
	const mine = await store.db
		.select({ rewardId: rewardRedemption.rewardId })
		.from(rewardRedemption)
		.where(and(eq(rewardRedemption.userId, userId), ne(rewardRedemption.status, 'rejected')));
	const rewards = [];
	if (chosen)
		for (const r of await listRewards(store, { activeOnly: true })) {
			if (!(await usableIn(store.db, store, r.id, chosen.id))) continue;
			rewards.push({
				id: r.id,
				name: r.name,
				description: r.description,
				pictureUrl: r.pictureUrl,
				pricePoints: r.pricePoints,
				stock: r.stock,
				perPersonLimit: r.perPersonLimit,
				mine: mine.filter((x) => x.rewardId === r.id).length
			});
		}
	return {
		seasons,
		season: chosen,
		sharePercent: chosen ? (await programmeOf(store.db, store, chosen.id)).spendSharePercent : 100,
		rewards,
		redemptions: (await redemptionsOf(store, userId)).map((r) => ({
			...r,
			season: seasons.find((s) => s.id === r.seasonId)?.name ?? null
		}))
	};
}
