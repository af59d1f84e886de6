import type { PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { getStore } from '$lib/server/db/store';
import { readBoardTop } from '$lib/server/boards/leaderboard';
import { readRecentActivity } from '$lib/server/boards/activity';
import { activeCampaigns, toEngineRule } from '$lib/server/rules/engine';
import { catalogueOf, listProducts } from '$lib/server/seasons/queries';
import { describeRule } from '$lib/contest/rules';
import { activityTypeNames } from '$lib/server/activities/types';
import { currentCurrency } from '$lib/format/money';
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
	const db = getDb();
	const catalogue = catalogueOf(listProducts(db, season.id));
	const activityTypes = await activityTypeNames(getStore(), season.id);
	const campaigns = activeCampaigns(db, season.id, Date.now()).map((rule) => ({
		id: rule.id,
		name: rule.name,
		text: describeRule(toEngineRule(rule), season.timeZone, {
			catalogue,
			activityTypes,
			currency: currentCurrency()
		})
	}));
	return {
		// The top of the board and the viewer's own place: never the whole ranking.
		board: await readBoardTop(getStore(), season.id, { viewerId: user.id }),
		activity: await readRecentActivity(getStore(), season.id),
		campaigns,
		announcement: await currentAnnouncement(getStore(), season.id),
		prizes: await readPrizes(getStore(), season.id),
		formats: await formatsNow(db, season.id),
		myDivisionId: await divisionOf(getStore(), season.id, user.id),
		duelInvitations: membership
			? await invitationsFor(getStore(), season.id, user.id, membership.teamId)
			: []
	};
};
