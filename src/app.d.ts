import type { SessionValidationResult } from '$lib/server/auth/session';

declare global {
	namespace App {
		interface Locals {
			user: SessionValidationResult['user'];
			session: SessionValidationResult['session'];
			/** The language this request is answered in (see server/i18n/handle.ts). */
			locale: import('$lib/i18n/locales').Locale;
			currency: import('$lib/i18n/locales').Currency;
		}
		interface Error {
			message: string;
			code?: string;
		}
	}
}

export {};
