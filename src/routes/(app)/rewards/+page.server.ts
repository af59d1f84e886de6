import type { Actions, PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { requireUser } from '$lib/server/auth/guards';
import { storeFor } from '$lib/server/rewards/store';
import { requestRedemption } from '$lib/server/rewards/redemptions';
import { redeemFormSchema } from '$lib/server/rewards/reward-form';
import { formText, parseForm, refuseError } from '$lib/server/shared/form';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const asked = Number(event.url.searchParams.get('season'));
	return {
		...(await storeFor(getStore(), user.id, Number.isInteger(asked) && asked > 0 ? asked : null)),
		// One id per shown form: a double tap or a resent post redeems once.
		requestId: crypto.randomUUID()
	};
};

export const actions: Actions = {
	redeem: async (event) => {
		const user = requireUser(event);
		const values = formText(await event.request.formData(), ['rewardId', 'seasonId', 'requestId']);
		const parsed = parseForm(redeemFormSchema, values, 'redeem');
		if (!parsed.ok) return parsed.failure;
		try {
			const { redemption, created } = await requestRedemption(
				getStore(),
				{ userId: user.id, ...parsed.data },
				Date.now()
			);
			return {
				action: 'redeem' as const,
				success: true as const,
				id: redemption.id,
				points: redemption.points,
				duplicate: !created
			};
		} catch (error) {
			return refuseError(error, 'redeem');
		}
	}
};
