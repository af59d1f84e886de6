import type { Actions, PageServerLoad } from './$types';
import { retryWhenBusy } from '$lib/server/db';
import { getStore } from '$lib/server/db/store';
import { requireUser } from '$lib/server/auth/guards';
import { readPlayersCount, readStanding } from '$lib/server/boards/leaderboard';
import { refuse, refuseError } from '$lib/server/shared/form';
import { AppError } from '$lib/server/shared/errors';
import { activeActivityTypes } from '$lib/server/activities/types';
import { readActivityDayContext, readActivityRules } from '$lib/server/activities/scoring';
import { sellingSeason } from '$lib/server/activities/selling-season';
import { ActivityConflictError, logActivity } from '$lib/server/activities/record';
import { activityFormValues, parseActivityForm } from '$lib/server/activities/activity-form';
import { localInput } from '$lib/server/quizzes/quiz-form';
import { ACTIVITY_LIMITS } from '$lib/contest/activity';
import { m } from '$lib/paraglide/messages.js';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const season = await sellingSeason(user, event.url, event.cookies);
	const now = Date.now();
	const timeZone = season?.timeZone ?? 'UTC';
	const store = getStore();
	const rules = season ? await readActivityRules(store.db, store, season.id) : [];
	return {
		types: season
			? (await activeActivityTypes(store, season.id)).map((t) => ({
					key: t.key,
					name: t.name,
					emoji: t.emoji,
					points: t.points
				}))
			: [],
		// The same pure scorer previews a campaign's effect in the browser; the server's result counts.
		rules,
		context: season
			? await readActivityDayContext(store.db, store, season, user.id, now, rules)
			: {},
		timeZone,
		/** "Now" as the when field shows it, and its latest value. */
		now: localInput(now, timeZone),
		maxQuantity: ACTIVITY_LIMITS.formQuantity,
		// One id per filled-in form: a double tap or a retried post logs the activity once.
		requestId: crypto.randomUUID()
	};
};

/** The person's words for why the service refused (its API words are English). */
function refusal(code: string): string | null {
	if (code === 'not_a_member') return m.sell_error_not_in_season();
	if (code === 'unknown_activity_type') return m.activities_error_type_gone();
	if (code === 'outside_season' || code === 'in_the_future') return m.activities_error_outside();
	return null;
}

export const actions: Actions = {
	default: async (event) => {
		const user = requireUser(event);
		const form = await event.request.formData();
		const values = activityFormValues(form);
		const season = await sellingSeason(user, event.url, event.cookies);
		if (!season) return refuse(422, 'default', m.sell_error_not_in_season(), { values });
		const parsed = parseActivityForm(form, season.timeZone, Date.now());
		if (!parsed.ok)
			return refuse(400, 'default', parsed.message, { errors: parsed.errors, values });
		try {
			const logged = await retryWhenBusy(() =>
				logActivity(getStore(), {
					source: 'web',
					externalId: `${user.id}:${parsed.requestId}`,
					person: { userId: user.id },
					seasonId: season.id,
					type: parsed.type,
					quantity: parsed.quantity,
					occurredAt: parsed.occurredAt,
					createdById: user.id
				})
			);
			const standing = (await readStanding(getStore(), logged.seasonId, user.id))?.entry;
			const type = (await activeActivityTypes(getStore(), logged.seasonId)).find(
				(t) => t.key === parsed.type
			);
			return {
				action: 'default' as const,
				success: true as const,
				points: logged.activity.points,
				quantity: parsed.quantity,
				name: type?.name ?? parsed.type,
				emoji: type?.emoji ?? '✅',
				duplicate: !logged.created,
				rank: standing?.rank ?? null,
				of: await readPlayersCount(getStore(), logged.seasonId),
				confirmed: standing?.points ?? 0
			};
		} catch (error) {
			if (error instanceof ActivityConflictError)
				return refuse(409, 'default', m.activities_already_sent(), { values });
			const said = error instanceof AppError && refusal(error.code);
			if (said) return refuse(error.status, 'default', said, { values });
			return refuseError(error, 'default', values);
		}
	}
};
