import type { Handle } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { getDb } from '$lib/server/db';
import { SESSION_COOKIE, validateSessionToken } from '$lib/server/auth/session';
import { deleteSessionTokenCookie, setSessionTokenCookie } from '$lib/server/auth/cookie';

const handleSession: Handle = async ({ event, resolve }) => {
	const token = event.cookies.get(SESSION_COOKIE) ?? null;
	if (!token) {
		event.locals.user = null;
		event.locals.session = null;
		return resolve(event);
	}
	const { session, user } = validateSessionToken(getDb(), token);
	if (session) setSessionTokenCookie(event, token, session.expiresAt);
	else deleteSessionTokenCookie(event);
	event.locals.user = user;
	event.locals.session = session;
	return resolve(event);
};

const handleSecurityHeaders: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	response.headers.set('X-Content-Type-Options', 'nosniff');
	response.headers.set('Referrer-Policy', 'same-origin');
	if (!event.url.pathname.startsWith('/tv/')) response.headers.set('X-Frame-Options', 'DENY');
	return response;
};

export const handle = sequence(handleSession, handleSecurityHeaders);
