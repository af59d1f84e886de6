import type { Actions, PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { requireUser } from '$lib/server/auth/guards';
import { sellingSeason } from '$lib/server/activities/selling-season';
import { recordReferral } from '$lib/server/referrals/record';
import { referralSettings } from '$lib/server/referrals/programme';
import { listMyReferrals } from '$lib/server/referrals/queries';
import { REFERRAL_FORM_FIELDS, referralFormSchema } from '$lib/server/referrals/referral-form';
import { formText, parseForm, refuseError } from '$lib/server/shared/form';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const store = getStore();
	const season = await sellingSeason(user, event.url, event.cookies);
	return {
		season: season
			? {
					id: season.id,
					name: season.name,
					timeZone: season.timeZone,
					...(await referralSettings(store, season.id))
				}
			: null,
		referrals: await listMyReferrals(store, user.id),
		// One id per filled-in form: a double tap or a retried post records the referral once.
		requestId: crypto.randomUUID(),
		now: Date.now()
	};
};

export const actions: Actions = {
	default: async (event) => {
		const user = requireUser(event);
		const values = formText(await event.request.formData(), REFERRAL_FORM_FIELDS);
		const parsed = parseForm(referralFormSchema, values, 'default', values);
		if (!parsed.ok) return parsed.failure;
		const seasonId = (await sellingSeason(user, event.url, event.cookies))?.id;
		try {
			const recorded = await recordReferral(getStore(), {
				...parsed.data,
				// Per person: another person's form can never replay this one.
				requestId: `${user.id}:${parsed.data.requestId}`,
				referrerId: user.id,
				seasonId
			});
			return {
				action: 'default' as const,
				success: true as const,
				points: recorded.points,
				duplicate: recorded.duplicateOfId !== null,
				repeated: !recorded.created
			};
		} catch (error) {
			return refuseError(error, 'default', values);
		}
	}
};
