import { json } from '@sveltejs/kit';
import { getStore } from '$lib/server/db/store';
import { apiHandler, parseId, parseJson } from '$lib/server/api/respond';
import { API_MANAGERS } from '$lib/server/auth/guards';
import { confirmReferral } from '$lib/server/referrals/decide';
import { referralConfirmBodySchema } from '$lib/server/referrals/referral-api';

export const POST = apiHandler(async ({ request, params, principal }) => {
	const id = parseId(params.id);
	const body = await parseJson(request, referralConfirmBodySchema);
	const { changed, ...referral } = await confirmReferral(
		getStore(),
		id,
		{ externalId: body.saleExternalId },
		{ tokenId: principal.tokenId }
	);
	return json({ referral, changed });
}, API_MANAGERS);
