import type { PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { readBoardTop } from '$lib/server/boards/leaderboard';
import { readRecentActivity } from '$lib/server/boards/activity';
import { readCampaigns } from '$lib/server/rules/campaigns';
import { currentAnnouncement } from '$lib/server/seasons/announcements';
import { readPrizes } from '$lib/server/seasons/prizes';
import { formatsNow } from '$lib/server/realtime/publish';
import { divisionOf } from '$lib/server/divisions/standings';
import { invitationsFor } from '$lib/server/challenges/view';

export const load: PageServerLoad = async ({ parent }) => {
	const { season, user, membership } = await parent();
	if (!season)
		return {
			board: null,
			activity: [],
			campaigns: [],
			announcement: null,
			prizes: [],
			formats: {},
			myDivisionId: null,
			duelInvitations: []
		};
	return {
		// The top of the board and the viewer's own place: never the whole ranking.
		board: await readBoardTop(getStore(), season.id, { viewerId: user.id }),
		activity: await readRecentActivity(getStore(), season.id),
		campaigns: await readCampaigns(getStore(), season, Date.now()),
		announcement: await currentAnnouncement(getStore(), season.id),
		prizes: await readPrizes(getStore(), season.id),
		formats: await formatsNow(getStore(), season.id),
		myDivisionId: await divisionOf(getStore(), season.id, user.id),
		duelInvitations: membership
			? await invitationsFor(getStore(), season.id, user.id, membership.teamId)
			: []
	};
};
