import { createHash } from 'node:crypto';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { eq } from 'drizzle-orm';
import { write, type Store, type StoreDb } from '../db/store';
import { systemClock, type Clock } from '../shared/clock';
import { isBusy } from '../db/busy';
import { sessionsEnded } from './session-events';

// Sessions as the Lucia guide shapes them: the cookie holds a random token, the database its
// SHA-256, and a session used in the second half of its life is extended (sliding expiry).
// Through the store (db/store.ts): the same code on SQLite and PostgreSQL, so that on several
// nodes a session ended on one is refused on the others.

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

/** The token's SHA-256 in hex: what the database keeps. Node's own hash: ~1 µs, 9 in JavaScript. */
export function hashToken(token: string): string {
	return createHash('sha256').update(token, 'utf8').digest('hex');
}

export async function createSession(
	store: Store,
	token: string,
	userId: number,
	clock: Clock = systemClock
): Promise<Session> {
	const session: Session = { id: hashToken(token), userId, expiresAt: clock() + SESSION_LIFETIME };
	const { session: sessionTable } = store.tables;
	await write(store, (tx) => tx.insert(sessionTable).values(session));
	return session;
}

/**
 * The session and person behind a token, or nulls. Runs on every request with a cookie: one
 * read, and a write only when the session expired (deleted) or is in the second half of its life
 * (extended, about once in fifteen days per session).
 */
export async function validateSessionToken(
	store: Store,
	token: string,
	clock: Clock = systemClock
): Promise<SessionValidationResult> {
	const { session: sessionTable, user: userTable } = store.tables;
	const sessionId = hashToken(token);
	const [row] = await store.db
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
		.where(eq(sessionTable.id, sessionId));
	if (!row) return { session: null, user: null };
	const now = clock();
	const session = row.session;
	if (now >= session.expiresAt) {
		// Cleanup only: a database locked by another process leaves it for the next request.
		await unlessBusy(store, (tx) => tx.delete(sessionTable).where(eq(sessionTable.id, session.id)));
		sessionsEnded({ sessionId: session.id });
		return { session: null, user: null };
	}
	if (now >= session.expiresAt - RENEW_WITHIN) {
		// A database locked by another process skips the renewal; a later request renews. Two
		// nodes renewing at once both write about the same expiry: no conflict worth a check.
		const renewed = await unlessBusy(store, (tx) =>
			tx
				.update(sessionTable)
				.set({ expiresAt: now + SESSION_LIFETIME })
				.where(eq(sessionTable.id, session.id))
		);
		if (renewed) session.expiresAt = now + SESSION_LIFETIME;
	}
	return { session, user: row.user };
}

/** A write that may be skipped: false when SQLite's lock is held by another process. */
async function unlessBusy(store: Store, work: (tx: StoreDb) => Promise<unknown>): Promise<boolean> {
	try {
		await write(store, work);
		return true;
	} catch (error) {
		if (isBusy(error)) return false;
		throw error;
	}
}

/** Ends one session (signing out); the live sockets on it are told. */
export async function invalidateSession(store: Store, sessionId: string): Promise<void> {
	const { session: sessionTable } = store.tables;
	await write(store, (tx) => tx.delete(sessionTable).where(eq(sessionTable.id, sessionId)));
	sessionsEnded({ sessionId });
}

/** Ends every session of a person; the live sockets on them are told. */
export async function invalidateUserSessions(store: Store, userId: number): Promise<void> {
	await write(store, (tx) => deleteUserSessionsInWrite(tx, store, userId));
	sessionsEnded({ userId });
}

/**
 * Deletes every session of a person inside a caller's write (auth/links.ts, when a password is
 * set from a link). The caller tells the sockets (`sessionsEnded({ userId })`) once the write
 * has committed, not inside it: PostgreSQL may run a write twice, and one that rolls back
 * ended nothing.
 */
export function deleteUserSessionsInWrite(tx: StoreDb, store: Store, userId: number) {
	const { session: sessionTable } = store.tables;
	return tx.delete(sessionTable).where(eq(sessionTable.userId, userId));
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
