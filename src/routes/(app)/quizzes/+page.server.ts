import type { PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { openQuizzesFor } from '$lib/server/quizzes/queries';

export const load: PageServerLoad = async ({ parent }) => {
	const { season, membership, user } = await parent();
	if (!season || !membership) return { quizzes: [], member: false };
	return { quizzes: openQuizzesFor(getDb(), season.id, user.id, Date.now()), member: true };
};
