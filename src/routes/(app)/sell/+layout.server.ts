import type { LayoutServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { requireUser } from '$lib/server/auth/guards';
import { activeActivityTypes } from '$lib/server/activities/types';
import { sellingSeason } from '$lib/server/activities/selling-season';

// /sell and /sell/activity: the "Sale" and "Activity" tabs, shown when the person's season
// rewards activities (#17).
export const load: LayoutServerLoad = async (event) => {
	const user = requireUser(event);
	const season = await sellingSeason(user, event.url, event.cookies);
	return { activityTab: !!season && (await activeActivityTypes(getStore(), season.id)).length > 0 };
};
