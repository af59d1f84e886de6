import { eq } from 'drizzle-orm';
import type { Queryable } from '../db';
import { user } from '../db/schema';
import { isLocale, type Locale } from '../../i18n/locales';

// A person's own language: one of ours, or none (null), which leaves the choice to the browser's
// Accept-Language and then the organisation's default (src/lib/server/i18n/handle.ts).

/** The language picked in a form: '' is "same as my browser"; anything else must be ours. */
export function readLocaleChoice(
	value: FormDataEntryValue | null
): { ok: true; locale: Locale | null } | { ok: false } {
	if (value === null || value === '') return { ok: true, locale: null };
	return isLocale(value) ? { ok: true, locale: value } : { ok: false };
}

export function setOwnLocale(db: Queryable, userId: number, locale: Locale | null): void {
	db.update(user).set({ locale }).where(eq(user.id, userId)).run();
}
