import { json } from '@sveltejs/kit';
import { getStore } from '$lib/server/db/store';
import { apiHandler, parseQuery } from '$lib/server/api/respond';
import { API_MANAGERS } from '$lib/server/auth/guards';
import { listReferrals } from '$lib/server/referrals/queries';
import { referralJson, referralListQuerySchema } from '$lib/server/referrals/referral-api';

export const GET = apiHandler(async ({ url }) => {
	const query = parseQuery(url, referralListQuerySchema);
	return json({ entries: (await listReferrals(getStore(), query)).map(referralJson) });
}, API_MANAGERS);
