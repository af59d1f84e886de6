import { graceEndsAt } from '$lib/contest/calendar';
import type { PageServerLoad } from './$types';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { getReviewSeason } from '$lib/server/seasons/queries';
import { getStore } from '$lib/server/db/store';
import { seasonOverview } from '$lib/server/boards/overview';
import { readRecentActivity } from '$lib/server/boards/activity';
import { reviewQueue } from '$lib/server/scoring/review-queue';

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	const now = Date.now();
	// The live season, else one that ended but still takes late confirmations.
	const { season } = await getReviewSeason(getStore(), now);
	const pending =
		season && season.status === 'ended'
			? (await reviewQueue(getStore(), season.id, {}, now)).waiting.sales
			: 0;
	return {
		// The feed and the overview's own reads are the store's.
		overview: season
			? await seasonOverview(
					getStore(),
					season.id,
					await readRecentActivity(getStore(), season.id, 25)
				)
			: null,
		seasonName: season?.name ?? null,
		timeZone: season?.timeZone ?? 'UTC',
		ended: season?.status === 'ended' ? { finalAt: graceEndsAt(season), pending } : null
	};
};
