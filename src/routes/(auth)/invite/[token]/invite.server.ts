import { eq } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import { invite, season } from '$lib/server/db/schema';
import { hashToken } from '$lib/server/auth/session';

/** The season an invitation link is for (its name and look), once findInvite accepted it. */
export function invitedSeason(db: Db, token: string) {
	return db
		.select({ name: season.name, theme: season.theme })
		.from(invite)
		.innerJoin(season, eq(season.id, invite.seasonId))
		.where(eq(invite.tokenHash, hashToken(token)))
		.get();
}
