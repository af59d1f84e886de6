import { json } from '@sveltejs/kit';
import { getStore } from '$lib/server/db/store';
import { apiHandler, parseId, parseQuery } from '$lib/server/api/respond';
import { AppError } from '$lib/server/shared/errors';
import { badgeListQuerySchema } from '$lib/server/api/schemas';
import { awardsSince } from '$lib/server/badges/awards-since';
import { readSeason } from '$lib/server/seasons/queries';

// The awards since an instant, for a client whose socket may have missed `badge` frames (a
// `badgesMissed` frame after a Redis outage). Paged by award id (`next` → `?after=`).
export const GET = apiHandler(async ({ params, url }) => {
	const seasonId = parseId(params.id);
	const { since, after, limit } = parseQuery(url, badgeListQuerySchema);
	const store = getStore();
	const status = (await readSeason(store, seasonId))?.status;
	if (!status || status === 'draft') throw new AppError(404, 'not_found', `No season ${seasonId}`);
	const page = await awardsSince(store, seasonId, { since: Date.parse(since), after, limit });
	return json({
		seasonId,
		entries: page.entries.map((entry) => ({
			...entry,
			earnedAt: new Date(entry.earnedAt).toISOString(),
			awardedAt: new Date(entry.awardedAt).toISOString()
		})),
		next: page.next
	});
});
