// The page's language is the one the server rendered it in: <html lang> (server/i18n/handle.ts).
import { defineCustomClientStrategy } from '$lib/paraglide/runtime';

defineCustomClientStrategy('custom-honorboard', {
	getLocale: () => document.documentElement.lang || undefined,
	setLocale: () => {}
});
