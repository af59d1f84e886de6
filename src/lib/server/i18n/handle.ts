// Chooses the language of each request and renders the page in it. The person's own choice wins,
// then the browser's Accept-Language, then the organisation's default; a TV display speaks the
// language it was created with. Paraglide keeps the choice for the request (so `m.*` and the
// formatters read it) and `<html lang>` tells the page which it is.
import type { Handle, RequestEvent } from '@sveltejs/kit';
import { defineCustomServerStrategy } from '$lib/paraglide/runtime';
import { paraglideMiddleware } from '$lib/paraglide/server';
import { chooseLocale, type Locale } from '$lib/i18n/locales';
import { setCurrency } from '$lib/format/money';
import { getStore } from '../db/store';
import { readOrganisation } from '../organisation/settings';
import { checkDisplayToken } from '../displays/tokens';

const chosen = new WeakMap<Request, Locale>();

defineCustomServerStrategy('custom-honorboard', {
	getLocale: (request) => (request ? chosen.get(request) : undefined)
});

/** A TV page's display's language (null: not a TV page, or not a display's link). */
async function displayLocale(event: RequestEvent): Promise<Locale | null> {
	const match = /^\/tv\/([^/]+)/.exec(event.url.pathname);
	if (!match) return null;
	const check = await checkDisplayToken(getStore(), decodeURIComponent(match[1]));
	return check.ok ? check.display.locale : null;
}

export async function requestLocale(
	event: RequestEvent,
	organisationDefault: Locale
): Promise<Locale> {
	return (
		(await displayLocale(event)) ??
		chooseLocale({
			own: event.locals.user?.locale,
			acceptLanguage: event.request.headers.get('accept-language'),
			organisation: organisationDefault
		})
	);
}

export const handleLocale: Handle = async ({ event, resolve }) => {
	const store = getStore();
	const settings = await readOrganisation(store.db, store);
	setCurrency(settings.currency);
	const locale = await requestLocale(event, settings.defaultLocale);
	event.locals.locale = locale;
	event.locals.currency = settings.currency;
	chosen.set(event.request, locale);
	return paraglideMiddleware(event.request, () =>
		resolve(event, {
			transformPageChunk: ({ html }) => html.replace('%lang%', locale)
		})
	);
};
