import { sql } from 'drizzle-orm';
import { preparedQuery, type Store, type StoreDb, type Tables } from '../db/store';

/** Who did something: a signed-in user, an API token, or the system itself (both null). */
export interface Actor {
	userId?: number | null;
	tokenId?: number | null;
}

export const SYSTEM: Actor = {};

/** Records what an actor did, inside a store's write (db/store.ts): one row of the audit log. */
export async function auditInWrite(
	tx: StoreDb,
	store: Store,
	actor: Actor,
	action: string,
	subject: string,
	data: Record<string, unknown>,
	now: number
): Promise<void> {
	await preparedQuery(tx, store, insertAuditOnStore).execute(
		auditRow(actor, action, subject, data, now)
	);
}

// Every ported command audits: prepared once per connection (db/store.ts `preparedQuery`).
const insertAuditOnStore = (db: StoreDb, { auditEvent }: Tables) =>
	db
		.insert(auditEvent)
		.values({
			actorUserId: sql.placeholder('actorUserId'),
			actorTokenId: sql.placeholder('actorTokenId'),
			action: sql.placeholder('action'),
			subject: sql.placeholder('subject'),
			data: sql.placeholder('data'),
			createdAt: sql.placeholder('createdAt')
		})
		.prepare('audit_insert');

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
