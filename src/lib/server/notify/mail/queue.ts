import type { Store, StoreDb } from '../../db/store';
import type { NotificationKind } from '../../db/schema';

// Queues one mail in the outbox (outgoing_message), inside the caller's transaction; the mail
// sender (notify/mail/) sends it later, over SMTP or into the local outbox folder, and retries.

export interface MailToQueue {
	/** The person it is for; null for an address without an account. */
	userId: number | null;
	kind: NotificationKind;
	to: string;
	subject: string;
	/** The plain-text alternative, also what the admins' log shows. */
	text: string;
	html: string;
	/** Sends it once only: a second mail with the same key is not queued. */
	dedupeKey?: string;
}

/** Queues a mail inside a store's write (db/store.ts); false when one with the same dedupe key
 * exists already. */
export async function queueMailInWrite(
	tx: StoreDb,
	store: Store,
	mail: MailToQueue,
	now: number
): Promise<boolean> {
	const { outgoingMessage: outbox } = store.tables;
	const rows = await tx
		.insert(outbox)
		.values(outboxRow(mail, now))
		.onConflictDoNothing()
		.returning({ id: outbox.id });
	return rows.length > 0;
}

function outboxRow(mail: MailToQueue, now: number) {
	return {
		channel: 'email' as const,
		kind: mail.kind,
		userId: mail.userId,
		recipient: mail.to,
		subject: mail.subject,
		body: mail.text,
		payload: { html: mail.html },
		dedupeKey: mail.dedupeKey ?? null,
		nextAttemptAt: now,
		createdAt: now
	};
}
