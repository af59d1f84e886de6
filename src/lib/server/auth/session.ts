import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import { eq } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import { session as sessionTable, user as userTable } from '../db/schema';
import { systemClock, type Clock } from '../shared/clock';
import { unlessBusy } from '../db/busy';
import { sessionsEnded } from './session-events';

const DAY = 24 * 60 * 60 * 1000;
export const SESSION_LIFETIME = 30 * DAY;
/** A session used within this long of its expiry is extended (sliding expiry). */
const RENEW_WITHIN = 15 * DAY;
export const SESSION_COOKIE = 'session';

export type SessionUser = {
	id: number;
	email: string;
	displayName: string;
	role: 'participant' | 'manager' | 'executive' | 'admin';
	/** The language chosen on the profile; null: the browser's, else the organisation's. */
	locale: string | null;
};
export type Session = { id: string; userId: number; expiresAt: number };
export type SessionValidationResult =
	{ session: Session; user: SessionUser } | { session: null; user: null };

export function generateSessionToken(): string {
	const bytes = new Uint8Array(20);
	crypto.getRandomValues(bytes);
	return encodeBase32LowerCaseNoPadding(bytes);
}

export function hashToken(token: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

export function createSession(
	db: Db,
	token: string,
	userId: number,
	clock: Clock = systemClock
): Session {
	const session: Session = { id: hashToken(token), userId, expiresAt: clock() + SESSION_LIFETIME };
	db.insert(sessionTable).values(session).run();
	return session;
}

export function validateSessionToken(
	db: Db,
	token: string,
	clock: Clock = systemClock
): SessionValidationResult {
	const sessionId = hashToken(token);
	const row = db
		.select({
			session: sessionTable,
			user: {
				id: userTable.id,
				email: userTable.email,
				displayName: userTable.displayName,
				role: userTable.role,
				locale: userTable.locale
			}
		})
		.from(sessionTable)
		.innerJoin(userTable, eq(sessionTable.userId, userTable.id))
		.where(eq(sessionTable.id, sessionId))
		.get();
	if (!row) return { session: null, user: null };
	const now = clock();
	const session = row.session;
	if (now >= session.expiresAt) {
		// Cleanup only: a database locked by another process leaves it for the next request.
		unlessBusy(() => db.delete(sessionTable).where(eq(sessionTable.id, session.id)).run());
		sessionsEnded({ sessionId: session.id });
		return { session: null, user: null };
	}
	if (now >= session.expiresAt - RENEW_WITHIN) {
		// A database locked by another process skips the renewal; a later request renews.
		const renewed = unlessBusy(() =>
			db
				.update(sessionTable)
				.set({ expiresAt: now + SESSION_LIFETIME })
				.where(eq(sessionTable.id, session.id))
				.run()
		);
		if (renewed) session.expiresAt = now + SESSION_LIFETIME;
	}
	return { session, user: row.user };
}

export function invalidateSession(db: Db, sessionId: string): void {
	db.delete(sessionTable).where(eq(sessionTable.id, sessionId)).run();
	sessionsEnded({ sessionId });
}

export function invalidateUserSessions(db: Queryable, userId: number): void {
	db.delete(sessionTable).where(eq(sessionTable.userId, userId)).run();
	sessionsEnded({ userId });
}

/** Reads the session token from a raw Cookie header (sockets have no SvelteKit cookies API). */
export function sessionTokenFromCookieHeader(header: string | undefined): string | null {
	if (!header) return null;
	for (const part of header.split(';')) {
		const [name, ...value] = part.trim().split('=');
		if (name === SESSION_COOKIE) return decodeURIComponent(value.join('='));
	}
	return null;
}
