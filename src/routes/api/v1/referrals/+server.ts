import { json } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { apiHandler, parseQuery } from '$lib/server/api/respond';
import { API_MANAGERS } from '$lib/server/auth/guards';
import { listReferrals } from '$lib/server/referrals/queries';
import { referralJson, referralListQuerySchema } from '$lib/server/referrals/referral-api';

export const GET = apiHandler(({ url }) => {
	const query = parseQuery(url, referralListQuerySchema);
	return json({ entries: listReferrals(getDb(), query).map(referralJson) });
}, API_MANAGERS);
