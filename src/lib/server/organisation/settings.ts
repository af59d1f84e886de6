// The organisation's settings: the default language and the currency. One row, read per request
// (a primary-key read) so that a change shows on the next page everywhere, every process included.
import { eq } from 'drizzle-orm';
import { write, type Store, type StoreDb } from '../db/store';
import { auditInWrite, type Actor } from '../audit/record';
import {
	DEFAULT_CURRENCY,
	DEFAULT_LOCALE,
	isCurrency,
	isLocale,
	type Currency,
	type Locale
} from '../../i18n/locales';

export interface OrganisationSettings {
	defaultLocale: Locale;
	currency: Currency;
}

/** The settings through the store (db/store.ts): its database or a write's transaction. */
export async function readOrganisation(db: StoreDb, store: Store): Promise<OrganisationSettings> {
	const { organisation: settings } = store.tables;
	const [row] = await db.select().from(settings).where(eq(settings.id, 1));
	return settingsOf(row);
}

function settingsOf(
	row: { defaultLocale: string | null; currency: string | null } | undefined
): OrganisationSettings {
	return {
		defaultLocale: isLocale(row?.defaultLocale) ? row.defaultLocale : DEFAULT_LOCALE,
		currency: isCurrency(row?.currency) ? row.currency : DEFAULT_CURRENCY
	};
}

/** Changes the settings (an admin's action or the CLI's), audited with what changed. */
export function setOrganisation(
	store: Store,
	next: OrganisationSettings,
	actor: Actor,
	now = Date.now()
): Promise<void> {
	const { organisation: settings } = store.tables;
	return write(store, async (tx) => {
		const before = await readOrganisation(tx, store);
		await tx
			.insert(settings)
			.values({ id: 1, ...next, updatedAt: now })
			.onConflictDoUpdate({ target: settings.id, set: { ...next, updatedAt: now } });
		await auditInWrite(
			tx,
			store,
			actor,
			'organisation.update',
			'organisation',
			{ before, after: next },
			now
		);
	});
}
