import { and, eq } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import { display } from '$lib/server/db/schema';
import { createDisplay, listDisplays } from '$lib/server/displays/tokens';
import { audit, type Actor } from '$lib/server/audit/record';
import { DEFAULT_LOCALE, isLocale, type Locale } from '$lib/i18n/locales';

// The console's display commands, by id, with the audit trail a manager's action leaves
// (tokens.ts knows tokens and writes no audit event: the CLI uses it too).

export function seasonDisplays(db: Db, seasonId: number) {
	const revoked = (d: { revokedAt: number | null }) => Number(d.revokedAt != null);
	// Active screens first, newest first within each group.
	return listDisplays(db, seasonId)
		.map(({ id, name, locale, createdAt, lastSeenAt, revokedAt }) => ({
			id,
			name,
			locale: isLocale(locale) ? locale : DEFAULT_LOCALE,
			createdAt,
			lastSeenAt,
			revokedAt
		}))
		.sort((a, b) => revoked(a) - revoked(b) || b.createdAt - a.createdAt || b.id - a.id);
}

export function createAuditedDisplay(
	db: Db,
	seasonId: number,
	name: string,
	actor: Actor,
	now: number,
	locale: Locale = DEFAULT_LOCALE
) {
	// better-sqlite3 has one connection: createDisplay's insert runs inside this transaction.
	return db.transaction(
		(tx) => {
			const created = createDisplay(db, seasonId, name, locale);
			audit(tx, actor, 'display.create', `display:${created.id}`, { name, seasonId, locale }, now);
			return created;
		},
		{ behavior: 'immediate' }
	);
}

export type RevokeResult =
	{ status: 'revoked' | 'already_revoked'; name: string } | { status: 'not_found' };

export function revokeDisplayById(
	db: Db,
	seasonId: number,
	id: number,
	actor: Actor,
	now: number
): RevokeResult {
	return db.transaction(
		(tx) => {
			const row = tx
				.select()
				.from(display)
				.where(and(eq(display.id, id), eq(display.seasonId, seasonId)))
				.get();
			if (!row) return { status: 'not_found' };
			if (row.revokedAt != null) return { status: 'already_revoked', name: row.name };
			tx.update(display).set({ revokedAt: now }).where(eq(display.id, id)).run();
			audit(tx, actor, 'display.revoke', `display:${id}`, { name: row.name, seasonId }, now);
			return { status: 'revoked', name: row.name };
		},
		{ behavior: 'immediate' }
	);
}
