import { eq } from 'drizzle-orm';
import { write, type Store } from '../db/store';
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

/** Sets a person's own language (null: none) in one `write`, read by every node's next request. */
export async function setOwnLocale(
	store: Store,
	userId: number,
	locale: Locale | null
): Promise<void> {
	const { user } = store.tables;
	const set = await write(store, (tx) =>
		tx.update(user).set({ locale }).where(eq(user.id, userId)).returning({ id: user.id })
	);
	if (set.length === 0) throw new Error(`No person ${userId} to set the language of`);
}
