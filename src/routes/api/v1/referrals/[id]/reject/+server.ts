import { json } from '@sveltejs/kit';
import { getStore } from '$lib/server/db/store';
import { apiHandler, parseId, parseJson } from '$lib/server/api/respond';
import { API_MANAGERS } from '$lib/server/auth/guards';
import { rejectReferral } from '$lib/server/referrals/decide';
import { referralRejectBodySchema } from '$lib/server/referrals/referral-api';

export const POST = apiHandler(async ({ request, params, principal }) => {
	const id = parseId(params.id);
	const body = await parseJson(request, referralRejectBodySchema);
	const { changed, ...referral } = await rejectReferral(getStore(), id, body.reason, {
		tokenId: principal.tokenId
	});
	return json({ referral, changed });
}, API_MANAGERS);
