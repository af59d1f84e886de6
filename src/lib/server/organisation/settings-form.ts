import * as z from 'zod';
import { m } from '../../paraglide/messages.js';
import { CURRENCIES, LOCALES } from '../../i18n/locales';

// The console's organisation settings form: the default language and the currency, each one of
// the listed codes. The messages are read when a form is checked, in the reader's language.

export const SETTINGS_FORM_FIELDS = ['defaultLocale', 'currency'] as const;

export const settingsFormSchema = z.object({
	defaultLocale: z.enum(LOCALES, { error: () => m.settings_locale_invalid() }),
	currency: z.enum(CURRENCIES, { error: () => m.settings_currency_invalid() })
});
