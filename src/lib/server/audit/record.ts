import { auditEvent } from '../db/schema';
import type { Queryable } from '../db';
import type { Store, StoreDb } from '../db/store';

/** Who did something: a signed-in user, an API token, or the system itself (both null). */
export interface Actor {
	userId?: number | null;
	tokenId?: number | null;
}

export const SYSTEM: Actor = {};

export function audit(
	tx: Queryable,
	actor: Actor,
	action: string,
	subject: string,
	data: Record<string, unknown>,
	now: number
): void {
	tx.insert(auditEvent)
		.values(auditRow(actor, action, subject, data, now))
		.run();
}

/**
 * `audit` inside a store's write (db/store.ts), for the capabilities ported to it (the links
 * that set a password, auth/links.ts). `audit` stays for the synchronous transactions.
 */
export async function auditInWrite(
	tx: StoreDb,
	store: Store,
	actor: Actor,
	action: string,
	subject: string,
	data: Record<string, unknown>,
	now: number
): Promise<void> {
	await tx.insert(store.tables.auditEvent).values(auditRow(actor, action, subject, data, now));
}

function auditRow(
	actor: Actor,
	action: string,
	subject: string,
	data: Record<string, unknown>,
	now: number
) {
	return {
		actorUserId: actor.userId ?? null,
		actorTokenId: actor.tokenId ?? null,
		action,
		subject,
		data,
		createdAt: now
	};
}
