import { error } from '@sveltejs/kit';
import { eq } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import { display } from '$lib/server/db/schema';
import { checkDisplayToken } from '$lib/server/displays';

/** The display a TV link names, or the error page a screen shows instead. */
export function displayFor(db: Db, token: string) {
	const check = checkDisplayToken(db, token);
	if (check.ok) return check.display;
	if (check.reason === 'revoked') error(403, { message: 'This display was revoked', code: 'display_revoked' });
	error(404, { message: 'This display link is not valid', code: 'display_unknown' });
}

// Note: belongs in $lib/server/displays.ts (and in the socket's revocation check); kept here
// until that service grows a "seen" method, so that the console can say which screens are alive.
export function markSeen(db: Db, id: number, now: number): void {
	db.update(display).set({ lastSeenAt: now }).where(eq(display.id, id)).run();
}
