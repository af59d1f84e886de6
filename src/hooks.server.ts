import type { Handle, HandleServerError } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { isDatabaseBusy } from '$lib/server/db';
import { getStore } from '$lib/server/db/store';
import { SESSION_COOKIE, validateSessionToken } from '$lib/server/auth/session';
import { deleteSessionTokenCookie, setSessionTokenCookie } from '$lib/server/auth/cookie';
import { log, requestContext } from '$lib/server/shared/log';
import { handleApiErrors } from '$lib/server/api/json-errors';
import { handleLocale } from '$lib/server/i18n/handle';
import { fromAcceptLanguage } from '$lib/i18n/locales';
import { m } from '$lib/paraglide/messages.js';

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
	if (isDatabaseBusy(error)) {
		const locale =
			event.locals.locale ?? fromAcceptLanguage(event.request.headers.get('accept-language'));
		return { message: m.server_database_busy({}, locale ? { locale } : undefined) };
	}
	if (status >= 500) log.error({ err: error, status }, 'unexpected error');
	return { message };
};
