import { eq } from 'drizzle-orm';
import { NO_PASSWORD } from '../../auth/links';
import { readOrganisation } from '../../organisation/settings';
import type { Store, StoreDb } from '../../db/store';
import { isLocale, type Locale } from '../../../i18n/locales';

// Who a digest mail goes to, in which language: the person's own choice, else the
// organisation's default (a mail has no browser to ask). Invited people who never set a
// password have not joined: nothing goes to them.

export interface Recipient {
	id: number;
	email: string;
	name: string;
	locale: Locale;
}

/**
 * A person able to receive mail, or null (unknown, or invited and not joined), on the store's
 * database or a write's transaction (a redemption's mail, rewards/mails.ts).
 */
export async function readRecipient(
	db: StoreDb,
	store: Store,
	userId: number
): Promise<Recipient | null> {
	const { user: people } = store.tables;
	const [row] = await db
		.select({
			id: people.id,
			email: people.email,
			name: people.displayName,
			locale: people.locale,
			passwordHash: people.passwordHash
		})
		.from(people)
		.where(eq(people.id, userId));
	if (!row || row.passwordHash === NO_PASSWORD) return null;
	return {
		id: row.id,
		email: row.email,
		name: row.name,
		locale: isLocale(row.locale) ? row.locale : (await readOrganisation(db, store)).defaultLocale
	};
}

/** Whether a once-only message with this key was queued already (the store or a write's tx). */
export async function alreadyQueued(
	db: StoreDb,
	store: Store,
	dedupeKey: string
): Promise<boolean> {
	const { outgoingMessage: outbox } = store.tables;
	const rows = await db
		.select({ id: outbox.id })
		.from(outbox)
		.where(eq(outbox.dedupeKey, dedupeKey))
		.limit(1);
	return rows.length > 0;
}
