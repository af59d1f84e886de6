import type { Handle, HandleServerError, ServerInit } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { isDatabaseBusy } from '$lib/server/db';
import { getStore, openAppStore } from '$lib/server/db/store';
import { AppError } from '$lib/server/shared/errors';
import { SESSION_COOKIE, validateSessionToken } from '$lib/server/auth/session';
import { deleteSessionTokenCookie, setSessionTokenCookie } from '$lib/server/auth/cookie';
import { log, requestContext } from '$lib/server/shared/log';
import { handleApiErrors } from '$lib/server/api/json-errors';
import { handleLocale } from '$lib/server/i18n/handle';
import { fromAcceptLanguage } from '$lib/i18n/locales';
import { m } from '$lib/paraglide/messages.js';

// The store DATABASE_URL names, opened (and migrated) before the first request: on
// PostgreSQL the pool, which getStore() hands out synchronously afterwards.
export const init: ServerInit = async () => {
	await openAppStore();
};

/** Requests whose page or action needed SQLite's connection on PostgreSQL (handleError). */
const notOnPostgres = new WeakSet<Request>();

// On PostgreSQL a page or action not ported yet throws `not_on_postgres` (db/index.ts): an
// unexpected error to SvelteKit, rendered as a 500. It is expected there: answer 503, the
// error page with its message (the API answers it itself, api/respond.ts).
const handleNotOnPostgres: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	if (response.status !== 500 || !notOnPostgres.has(event.request)) return response;
	return new Response(response.body, { status: 503, headers: response.headers });
};

// The route template that answers (not the raw URL) names the request in metrics and the log.
const handleRoute: Handle = ({ event, resolve }) => {
	const context = requestContext();
	if (context) context.route = event.route.id ?? '(unmatched)';
	return resolve(event);
};

const handleSession: Handle = async ({ event, resolve }) => {
	const token = event.cookies.get(SESSION_COOKIE) ?? null;
	if (!token) {
		event.locals.user = null;
		event.locals.session = null;
		return resolve(event);
	}
	const { session, user } = await validateSessionToken(getStore(), token);
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

export const handle = sequence(
	handleRoute,
	handleNotOnPostgres,
	handleSession,
	handleLocale,
	handleSecurityHeaders,
	handleApiErrors
);

// An unexpected error answers the error page. A database locked by another process (a backup,
// the CLI) is not a bug: say so in plain words (form actions and the API answer it themselves).
// Note: handleError may run outside Paraglide's request context, so the language is passed: the
// request's, or (when the error came before handleLocale chose it, e.g. reading the session) the
// browser's, since the organisation's default is in the busy database.
export const handleError: HandleServerError = ({ error, event, status, message }) => {
	if (error instanceof AppError && error.code === 'not_on_postgres') {
		notOnPostgres.add(event.request);
		log.warn({ route: event.route.id }, error.message);
		return { message: error.message };
	}
	if (isDatabaseBusy(error)) {
		const locale =
			event.locals.locale ?? fromAcceptLanguage(event.request.headers.get('accept-language'));
		return { message: m.server_database_busy({}, locale ? { locale } : undefined) };
	}
	if (status >= 500) log.error({ err: error, status }, 'unexpected error');
	return { message };
};
