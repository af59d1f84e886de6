// Tells whoever holds a session open elsewhere (the live sockets) that sessions ended: a sign-out,
// a password reset, an expiry. Shared through globalThis because SvelteKit's bundle (where
// sign-out runs) and server.ts (where Socket.IO lives) each have their own copy of this module.
// Sessions ended by another process (the CLI) are caught by the sockets' periodic check instead.

import { log } from '../shared/log';

export type SessionsEnded = { sessionId: string } | { userId: number };
type Listener = (ended: SessionsEnded) => void;

const KEY = Symbol.for('honorboard.sessionsEnded');
type Holder = { [KEY]?: Set<Listener> };

function listeners(): Set<Listener> {
	return ((globalThis as Holder)[KEY] ??= new Set());
}

/** Calls `listener` whenever sessions end in this process; returns the unsubscribe function. */
export function onSessionsEnded(listener: Listener): () => void {
	listeners().add(listener);
	return () => listeners().delete(listener);
}

export function sessionsEnded(ended: SessionsEnded): void {
	for (const listener of listeners()) {
		try {
			listener(ended);
		} catch (error) {
			log.error({ err: error }, 'a session-end listener failed');
		}
	}
}
