import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getDb } from '$lib/server/db';
import { checkDisplayToken } from '$lib/server/displays/tokens';
import { markSeen } from '$lib/server/displays/tokens';

/**
 * The TV calls this every minute, and more often while its socket is down: it records that the
 * screen is alive and tells a screen whose display was revoked while it was cut off.
 */
export const POST: RequestHandler = ({ params }) => {
	const db = getDb();
	const check = checkDisplayToken(db, params.token);
	if (!check.ok)
		return json({ status: check.reason }, { status: check.reason === 'revoked' ? 403 : 404 });
	markSeen(db, check.display.id, Date.now());
	return json({ status: 'active' }, { headers: { 'cache-control': 'no-store' } });
};
