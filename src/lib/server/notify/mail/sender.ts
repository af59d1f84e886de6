import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { and, asc, eq, isNull, lt, lte, or } from 'drizzle-orm';
import { write, type Store } from '../../db/store';
import { backoff } from '../../webhooks/delivery';
import { systemClock, type Clock } from '../../shared/clock';
import { log } from '../../shared/log';
import { configuredTransport, type MailTransport } from './transport';

// Works through the `email` rows of the outbox (outgoing_message), the way webhook deliveries
// are sent (webhooks/delivery.ts): each row is claimed by one atomic UPDATE before it is sent, so
// that with several server processes on one database a mail still goes out once; a failure is
// retried with the same growing backoff, and marked failed, with its error, after MAX_ATTEMPTS.
// On the store (db/store.ts): on PostgreSQL the nodes share the outbox and each claim is a
// serializable write, so two nodes never send one mail; the sending itself is outside any write.

/** Attempts before a mail is marked failed: after about 1 s, 5 s, 25 s, 2 min, 10 min. */
export const MAX_MAIL_ATTEMPTS = 6;
/** Longer than an SMTP conversation can take (three 15 s timeouts): then a crashed claim expires. */
export const MAIL_CLAIM_MS = 60_000;

const PROCESS_ID = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

/** Sends the mails that are due; returns how many were attempted. */
export async function sendDueMails(
	store: Store,
	options: { clock?: Clock; limit?: number; transport?: MailTransport; claimer?: string } = {}
): Promise<number> {
	const { outgoingMessage } = store.tables;
	const clock = options.clock ?? systemClock;
	const claimer = options.claimer ?? PROCESS_ID;
	const unclaimed = (now: number) =>
		or(isNull(outgoingMessage.claimedUntil), lt(outgoingMessage.claimedUntil, now));
	const dueNow = (now: number) =>
		and(
			eq(outgoingMessage.status, 'pending'),
			lte(outgoingMessage.nextAttemptAt, now),
			eq(outgoingMessage.channel, 'email'),
			unclaimed(now)
		);
	// The (status, next_attempt_at) index finds the due rows of every channel; few are due.
	const due = await store.db
		.select({ id: outgoingMessage.id })
		.from(outgoingMessage)
		.where(dueNow(clock()))
		.orderBy(asc(outgoingMessage.nextAttemptAt), asc(outgoingMessage.id))
		.limit(options.limit ?? 50);
	if (due.length === 0) return 0;
	const transport = options.transport ?? configuredTransport();
	let attempted = 0;
	for (const { id } of due) {
		const claimedAt = clock();
		// Only one process wins this UPDATE; it re-checks the row is still pending and due.
		const [mail] = await write(store, (tx) =>
			tx
				.update(outgoingMessage)
				.set({ claimedBy: claimer, claimedUntil: claimedAt + MAIL_CLAIM_MS })
				.where(and(eq(outgoingMessage.id, id), dueNow(claimedAt)))
				.returning()
		);
		if (!mail) continue;
		attempted += 1;
		let error: string | null = null;
		let file: string | null = null;
		try {
			const html = typeof mail.payload?.html === 'string' ? mail.payload.html : '';
			({ file } = await transport({
				id: mail.id,
				to: mail.recipient,
				subject: mail.subject,
				text: mail.body,
				html
			}));
		} catch (e) {
			error = ((e as Error).message || String(e)).slice(0, 500);
		}
		const attempts = mail.attempts + 1;
		const now = clock();
		const outcome =
			error == null
				? {
						status: 'sent' as const,
						sentAt: now,
						lastError: null,
						payload: file ? { ...mail.payload, file } : mail.payload
					}
				: {
						status: attempts >= MAX_MAIL_ATTEMPTS ? ('failed' as const) : ('pending' as const),
						lastError: error,
						nextAttemptAt: now + backoff(attempts)
					};
		await write(store, (tx) =>
			tx
				.update(outgoingMessage)
				.set({ ...outcome, attempts, claimedBy: null, claimedUntil: null })
				.where(and(eq(outgoingMessage.id, mail.id), eq(outgoingMessage.claimedBy, claimer)))
		);
		if (error != null)
			log.warn({ messageId: mail.id, attempts, err: error }, `mail ${mail.id} not sent`);
	}
	return attempted;
}
