import { graceEndsAt } from '$lib/contest/calendar';
import type { PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { getReviewSeason } from '$lib/server/seasons/queries';
import { seasonOverview } from '$lib/server/boards/overview';
import { reviewQueue } from '$lib/server/scoring/review-queue';

export const load: PageServerLoad = (event) => {
	requireRole(event, MANAGERS);
	const db = getDb();
	const now = Date.now();
	// The live season, else one that ended but still takes late confirmations.
	const { season } = getReviewSeason(db, now);
	const pending =
		season && season.status === 'ended' ? reviewQueue(db, season.id, {}, now).waiting.sales : 0;
	return {
		overview: season ? seasonOverview(db, season.id) : null,
		seasonName: season?.name ?? null,
		timeZone: season?.timeZone ?? 'UTC',
		ended: season?.status === 'ended' ? { finalAt: graceEndsAt(season), pending } : null
	};
};
