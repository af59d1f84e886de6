import { and, eq, gt } from 'drizzle-orm';
import type { Store } from '../db/store';
import type { SessionUser } from '../auth/session';

// Who may hold a live socket and watch which season. Checked at every `watch` and, for the
// session, periodically while the socket is open.

/** Staff see every season they can open in the console (drafts are refused before this). */
const STAFF = new Set<SessionUser['role']>(['manager', 'admin', 'executive']);

/**
 * The person behind a session that still exists and has not expired, as they are now. Through
 * the store: a session ended on another node ends this node's sockets at the next check.
 */
export async function sessionAlive(
	store: Store,
	sessionId: string,
	now: number
): Promise<SessionUser | null> {
	const { session, user } = store.tables;
	const [row] = await store.db
		.select({
			id: user.id,
			email: user.email,
			displayName: user.displayName,
			role: user.role,
			locale: user.locale
		})
		.from(session)
		.innerJoin(user, eq(user.id, session.userId))
		.where(and(eq(session.id, sessionId), gt(session.expiresAt, now)));
	return row ?? null;
}

/**
 * A participant watches only the seasons they take part in; staff any season. Through the store:
 * a membership written on any node counts.
 */
export async function readMayWatch(
	store: Store,
	person: Pick<SessionUser, 'id' | 'role'>,
	seasonId: number
): Promise<boolean> {
	if (STAFF.has(person.role)) return true;
	const { seasonMember } = store.tables;
	const [row] = await store.db
		.select({ userId: seasonMember.userId })
		.from(seasonMember)
		.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, person.id)))
		.limit(1);
	return !!row;
}

/**
 * An API token that may still be used: not revoked, not expired. Every token role may read
 * seasons (GET /api/v1/seasons/:id/leaderboard), so every live token may watch any season that
 * is not a draft, as staff may. Through the store: a token revoked on another node ends this
 * node's sockets at the next check.
 */
export async function tokenAlive(store: Store, tokenId: number, now: number): Promise<boolean> {
	const { apiToken } = store.tables;
	const [row] = await store.db
		.select({ revokedAt: apiToken.revokedAt, expiresAt: apiToken.expiresAt })
		.from(apiToken)
		.where(eq(apiToken.id, tokenId));
	return !!row && row.revokedAt === null && (row.expiresAt === null || now < row.expiresAt);
}
