import { and, eq, ne } from 'drizzle-orm';
import type { Queryable } from '../db';
import { rewardRedemption } from '../db/schema';
import { balanceFor, programmeOf } from './balances';
import { listRewards, redemptionsOf } from './catalogue';
import { spendingSeasons, usableIn } from './redemptions';

// What the store page shows one person: their balance in each season they can spend in, the
// rewards the chosen season's points can buy (with how many they already have), their requests.

export function storeFor(db: Queryable, userId: number, askedSeasonId: number | null) {
	const seasons = spendingSeasons(db, userId).map((s) => ({
		...s,
		balance: balanceFor(db, s.id, userId)
	}));
	const chosen = seasons.find((s) => s.id === askedSeasonId) ?? seasons[0] ?? null;
	const mine = db
		.select({ rewardId: rewardRedemption.rewardId })
		.from(rewardRedemption)
		.where(and(eq(rewardRedemption.userId, userId), ne(rewardRedemption.status, 'rejected')))
		.all();
	const rewards = chosen
		? listRewards(db, { activeOnly: true })
				.filter((r) => usableIn(db, r.id, chosen.id))
				.map((r) => ({
					id: r.id,
					name: r.name,
					description: r.description,
					pictureUrl: r.pictureUrl,
					pricePoints: r.pricePoints,
					stock: r.stock,
					perPersonLimit: r.perPersonLimit,
					mine: mine.filter((x) => x.rewardId === r.id).length
				}))
		: [];
	return {
		seasons,
		season: chosen,
		sharePercent: chosen ? programmeOf(db, chosen.id).spendSharePercent : 100,
		rewards,
		redemptions: redemptionsOf(db, userId).map((r) => ({
			...r,
			season: seasons.find((s) => s.id === r.seasonId)?.name ?? null
		}))
	};
}
