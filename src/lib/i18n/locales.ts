// The languages and currencies Honorboard speaks, and how a request's language is chosen.
// Client-safe: pages, components and the server all import this.

/** The languages of the interface, in the order a picker lists them. */
export const LOCALES = ['en', 'nl', 'ru', 'sv', 'pl', 'fr'] as const;
export type Locale = (typeof LOCALES)[number];

/** Each language in its own words, for pickers (never translated: a reader finds their own). */
export const LOCALE_NAMES: Record<Locale, string> = {
	en: 'English',
	nl: 'Nederlands',
	ru: 'Русский',
	sv: 'Svenska',
	pl: 'Polski',
	fr: 'Français'
};

/**
 * The Intl locale each language formats dates and numbers with. English is British English: the
 * customers are European (day before month, 24-hour clock).
 */
export const INTL_LOCALES: Record<Locale, string> = {
	en: 'en-GB',
	nl: 'nl-NL',
	ru: 'ru-RU',
	sv: 'sv-SE',
	pl: 'pl-PL',
	fr: 'fr-FR'
};

/** The currencies an organisation may count in. */
export const CURRENCIES = ['EUR', 'PLN', 'SEK', 'RUB', 'GBP', 'USD'] as const;
export type Currency = (typeof CURRENCIES)[number];

export const DEFAULT_LOCALE: Locale = 'en';
export const DEFAULT_CURRENCY: Currency = 'EUR';

export function isLocale(value: unknown): value is Locale {
	return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

export function isCurrency(value: unknown): value is Currency {
	return typeof value === 'string' && (CURRENCIES as readonly string[]).includes(value);
}

/**
 * The first language of an `Accept-Language` header that we speak, by quality then order:
 * "pl-PL,pl;q=0.9,en;q=0.8" → "pl"; "de-DE,de" → null. A region falls back to its language.
 */
export function fromAcceptLanguage(header: string | null | undefined): Locale | null {
	if (!header) return null;
	const ranked = header
		.split(',')
		.map((part, index) => {
			const [tag, ...params] = part.trim().split(';');
			const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
			return { tag: tag.trim().toLowerCase(), q: q ? Number(q[1]) : 1, index };
		})
		.filter((entry) => entry.tag && entry.q > 0)
		.sort((a, b) => b.q - a.q || a.index - b.index);
	for (const { tag } of ranked) {
		const language = tag.split('-')[0];
		if (isLocale(language)) return language;
	}
	return null;
}

/**
 * The language a person reads: their own choice, else what their browser asks for, else the
 * organisation's default.
 */
export function chooseLocale(choice: {
	own?: string | null;
	acceptLanguage?: string | null;
	organisation: Locale;
}): Locale {
	if (isLocale(choice.own)) return choice.own;
	return fromAcceptLanguage(choice.acceptLanguage) ?? choice.organisation;
}
