import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getStore } from '$lib/server/db/store';
import { checkDisplayToken, markSeen } from '$lib/server/displays/tokens';

/**
 * The TV calls this every minute, and more often while its socket is down: it records that the
 * screen is alive and tells a screen whose display was revoked while it was cut off.
 */
export const POST: RequestHandler = async ({ params }) => {
	const store = getStore();
	const check = await checkDisplayToken(store, params.token);
	if (!check.ok)
		return json({ status: check.reason }, { status: check.reason === 'revoked' ? 403 : 404 });
	await markSeen(store, check.display.id, Date.now());
	return json({ status: 'active' }, { headers: { 'cache-control': 'no-store' } });
};
