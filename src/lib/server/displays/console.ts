import { and, eq } from 'drizzle-orm';
import { write, type Store } from '$lib/server/db/store';
import { createDisplayInWrite, listDisplays } from '$lib/server/displays/tokens';
import { auditInWrite, type Actor } from '$lib/server/audit/record';
import { DEFAULT_LOCALE, isLocale, type Locale } from '$lib/i18n/locales';

// The console's display commands, by id, with the audit trail a manager's action leaves
// (tokens.ts knows tokens and writes no audit event: the CLI uses it too).

export async function seasonDisplays(store: Store, seasonId: number) {
	const revoked = (d: { revokedAt: number | null }) => Number(d.revokedAt != null);
	// Active screens first, newest first within each group.
	return (await listDisplays(store, seasonId))
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
	store: Store,
	seasonId: number,
	name: string,
	actor: Actor,
	now: number,
	locale: Locale = DEFAULT_LOCALE
): Promise<{ id: number; token: string }> {
	return write(store, async (tx) => {
		const created = await createDisplayInWrite(tx, store, seasonId, name, locale);
		await auditInWrite(
			tx,
			store,
			actor,
			'display.create',
			`display:${created.id}`,
			{ name, seasonId, locale },
			now
		);
		return created;
	});
}

export type RevokeResult =
	{ status: 'revoked' | 'already_revoked'; name: string } | { status: 'not_found' };

export function revokeDisplayById(
	store: Store,
	seasonId: number,
	id: number,
	actor: Actor,
	now: number
): Promise<RevokeResult> {
	const { display } = store.tables;
	return write(store, async (tx): Promise<RevokeResult> => {
		const [row] = await tx
			.select({ name: display.name, revokedAt: display.revokedAt })
			.from(display)
			.where(and(eq(display.id, id), eq(display.seasonId, seasonId)));
		if (!row) return { status: 'not_found' };
		if (row.revokedAt != null) return { status: 'already_revoked', name: row.name };
		await tx.update(display).set({ revokedAt: now }).where(eq(display.id, id));
		await auditInWrite(
			tx,
			store,
			actor,
			'display.revoke',
			`display:${id}`,
			{ name: row.name, seasonId },
			now
		);
		return { status: 'revoked', name: row.name };
	});
}
