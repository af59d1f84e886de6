// The language of what is being rendered right now: the request's on the server (Paraglide keeps
// it per request), the page's on the client (the server wrote it into <html lang>). Code that
// runs outside a request (jobs, webhooks) gets the base language unless it passes its own.
import { getLocale } from '../paraglide/runtime.js';
import { DEFAULT_LOCALE, INTL_LOCALES, isLocale, type Locale } from './locales';

export function currentLocale(): Locale {
	try {
		const locale = getLocale();
		return isLocale(locale) ? locale : DEFAULT_LOCALE;
	} catch {
		return DEFAULT_LOCALE;
	}
}

/** The Intl locale for formatting in `locale` (the current one by default): "pl" → "pl-PL". */
export function intlLocale(locale: Locale = currentLocale()): string {
	return INTL_LOCALES[locale];
}
