import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { and, eq, isNull } from 'drizzle-orm';
import { write, type Store, type StoreDb } from '../db/store';
import { hashToken } from '../auth/session';
import { AppError, notFound } from '../shared/errors';
import { systemClock, type Clock } from '../shared/clock';
import { DEFAULT_LOCALE, isLocale, type Locale } from '../../i18n/locales';

// The TV displays' tokens, through the store (db/store.ts): a display created or revoked on one
// node is seen by every other, whose sockets then cut the TV off (realtime/attach.ts).

/** Creates a TV display for a season; the token (shown once) goes in the TV's URL. */
export function createDisplay(
	store: Store,
	seasonId: number,
	name: string,
	locale: Locale = DEFAULT_LOCALE
): Promise<{ id: number; token: string }> {
	return write(store, (tx) => createDisplayInWrite(tx, store, seasonId, name, locale));
}

/** `createDisplay` inside a store's write (the console's, which audits it in the same write). */
export async function createDisplayInWrite(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	name: string,
	locale: Locale = DEFAULT_LOCALE
): Promise<{ id: number; token: string }> {
	const { display, season } = store.tables;
	const [found] = await tx.select({ id: season.id }).from(season).where(eq(season.id, seasonId));
	if (!found) throw notFound('season_not_found', `No season ${seasonId}`);
	const bytes = new Uint8Array(20);
	crypto.getRandomValues(bytes);
	const token = `tv_${encodeBase32LowerCaseNoPadding(bytes)}`;
	const [row] = await tx
		.insert(display)
		.values({ seasonId, name, locale, tokenHash: hashToken(token) })
		.returning({ id: display.id });
	return { id: row.id, token };
}

export async function revokeDisplay(
	store: Store,
	token: string,
	clock: Clock = systemClock
): Promise<void> {
	const { display } = store.tables;
	const revoked = await write(store, (tx) =>
		tx
			.update(display)
			.set({ revokedAt: clock() })
			.where(and(eq(display.tokenHash, hashToken(token)), isNull(display.revokedAt)))
			.returning({ id: display.id })
	);
	if (revoked.length === 0) throw notFound('token_not_found', 'No active display has this token');
}

export type DisplayCheck =
	| { ok: true; display: { id: number; name: string; seasonId: number; locale: Locale } }
	| { ok: false; reason: 'unknown' | 'revoked' };

export async function checkDisplayToken(store: Store, token: string): Promise<DisplayCheck> {
	const { display } = store.tables;
	const [row] = await store.db
		.select({
			id: display.id,
			name: display.name,
			seasonId: display.seasonId,
			locale: display.locale,
			revokedAt: display.revokedAt
		})
		.from(display)
		.where(eq(display.tokenHash, hashToken(token)));
	if (!row) return { ok: false, reason: 'unknown' };
	if (row.revokedAt != null) return { ok: false, reason: 'revoked' };
	const locale = isLocale(row.locale) ? row.locale : DEFAULT_LOCALE;
	return { ok: true, display: { id: row.id, name: row.name, seasonId: row.seasonId, locale } };
}

export function listDisplays(store: Store, seasonId: number) {
	const { display } = store.tables;
	return store.db.select().from(display).where(eq(display.seasonId, seasonId));
}

export async function isDisplayRevoked(store: Store, id: number): Promise<boolean> {
	const { display } = store.tables;
	const [row] = await store.db
		.select({ revokedAt: display.revokedAt })
		.from(display)
		.where(eq(display.id, id));
	return !row || row.revokedAt != null;
}

/** The display a TV link names; a revoked or unknown link is refused (the TV shows why). */
export async function displayFor(store: Store, token: string) {
	const check = await checkDisplayToken(store, token);
	if (check.ok) return check.display;
	if (check.reason === 'revoked')
		throw new AppError(403, 'display_revoked', 'This display was revoked');
	throw notFound('display_unknown', 'This display link is not valid');
}

/** Records that a TV is alive, so that the console can say which screens are showing. */
export async function markSeen(store: Store, id: number, now: number): Promise<void> {
	const { display } = store.tables;
	await write(store, (tx) => tx.update(display).set({ lastSeenAt: now }).where(eq(display.id, id)));
}
