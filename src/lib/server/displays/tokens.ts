import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import { display, season } from '../db/schema';
import { hashToken } from '../auth/session';
import { AppError, notFound } from '../shared/errors';
import { systemClock, type Clock } from '../shared/clock';
import { DEFAULT_LOCALE, isLocale, type Locale } from '../../i18n/locales';

/** Creates a TV display for a season; the token (shown once) goes in the TV's URL. */
export function createDisplay(
	db: Db,
	seasonId: number,
	name: string,
	locale: Locale = DEFAULT_LOCALE
): { id: number; token: string } {
	if (!db.select({ id: season.id }).from(season).where(eq(season.id, seasonId)).get()) {
		throw notFound('season_not_found', `No season ${seasonId}`);
	}
	const bytes = new Uint8Array(20);
	crypto.getRandomValues(bytes);
	const token = `tv_${encodeBase32LowerCaseNoPadding(bytes)}`;
	const row = db
		.insert(display)
		.values({ seasonId, name, locale, tokenHash: hashToken(token) })
		.returning()
		.get();
	return { id: row.id, token };
}

export function revokeDisplay(db: Db, token: string, clock: Clock = systemClock): void {
	const result = db
		.update(display)
		.set({ revokedAt: clock() })
		.where(and(eq(display.tokenHash, hashToken(token)), isNull(display.revokedAt)))
		.run();
	if (result.changes === 0) throw notFound('token_not_found', 'No active display has this token');
}

export type DisplayCheck =
	| { ok: true; display: { id: number; name: string; seasonId: number; locale: Locale } }
	| { ok: false; reason: 'unknown' | 'revoked' };

export function checkDisplayToken(db: Queryable, token: string): DisplayCheck {
	const row = db
		.select()
		.from(display)
		.where(eq(display.tokenHash, hashToken(token)))
		.get();
	if (!row) return { ok: false, reason: 'unknown' };
	if (row.revokedAt != null) return { ok: false, reason: 'revoked' };
	const locale = isLocale(row.locale) ? row.locale : DEFAULT_LOCALE;
	return { ok: true, display: { id: row.id, name: row.name, seasonId: row.seasonId, locale } };
}

export function listDisplays(db: Queryable, seasonId: number) {
	return db.select().from(display).where(eq(display.seasonId, seasonId)).all();
}

export function isDisplayRevoked(db: Queryable, id: number): boolean {
	const row = db
		.select({ revokedAt: display.revokedAt })
		.from(display)
		.where(eq(display.id, id))
		.get();
	return !row || row.revokedAt != null;
}

/** The display a TV link names; a revoked or unknown link is refused (the TV shows why). */
export function displayFor(db: Db, token: string) {
	const check = checkDisplayToken(db, token);
	if (check.ok) return check.display;
	if (check.reason === 'revoked')
		throw new AppError(403, 'display_revoked', 'This display was revoked');
	throw notFound('display_unknown', 'This display link is not valid');
}

/** Records that a TV is alive, so that the console can say which screens are showing. */
export function markSeen(db: Db, id: number, now: number): void {
	db.update(display).set({ lastSeenAt: now }).where(eq(display.id, id)).run();
}
