import type { PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { openQuizzesFor } from '$lib/server/quizzes/queries';

export const load: PageServerLoad = async ({ parent }) => {
	const { season, membership, user } = await parent();
	if (!season || !membership) return { quizzes: [], member: false };
	return {
		quizzes: await openQuizzesFor(getStore(), season.id, user.id, Date.now()),
		member: true
	};
};
