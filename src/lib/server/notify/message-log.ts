import { and, desc, eq, sql } from 'drizzle-orm';
import type { MessageChannel } from '../db/schema';
import type { Store } from '../db/store';

// The admins' log of every outgoing message, whatever its channel (mail, push, Slack, Teams):
// the outbox rows themselves, newest first (the created_at index), filtered by channel and
// status, a page at a time. Read through the store (db/store.ts): on PostgreSQL every node's
// outbox rows.

export const MESSAGE_CHANNELS = [
	'email',
	'push',
	'slack',
	'teams'
] as const satisfies readonly MessageChannel[];
export const MESSAGE_STATUSES = ['pending', 'sent', 'failed', 'skipped'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

const PAGE_SIZE = 50;

export interface MessageRow {
	id: number;
	channel: MessageChannel;
	kind: string;
	recipient: string;
	subject: string;
	body: string;
	status: MessageStatus;
	attempts: number;
	lastError: string | null;
	createdAt: number;
	sentAt: number | null;
	nextAttemptAt: number;
	/** The .eml file of a mail written to the outbox folder. */
	file: string | null;
}

export async function messageLog(
	store: Store,
	options: {
		channel?: MessageChannel;
		status?: MessageStatus;
		page: number;
		perPage?: number;
	}
) {
	const { outgoingMessage } = store.tables;
	const perPage = options.perPage ?? PAGE_SIZE;
	const where = and(
		options.channel ? eq(outgoingMessage.channel, options.channel) : undefined,
		options.status ? eq(outgoingMessage.status, options.status) : undefined
	);
	const [counted] = await store.db
		.select({ n: sql<number>`count(*)`.mapWith(Number) })
		.from(outgoingMessage)
		.where(where);
	const total = counted?.n ?? 0;
	const pages = Math.max(1, Math.ceil(total / perPage));
	const page = Math.min(Math.max(1, options.page), pages);
	const rows: MessageRow[] = (
		await store.db
			.select()
			.from(outgoingMessage)
			.where(where)
			.orderBy(desc(outgoingMessage.createdAt), desc(outgoingMessage.id))
			.limit(perPage)
			.offset((page - 1) * perPage)
	).map((r) => ({
		id: r.id,
		channel: r.channel,
		kind: r.kind,
		recipient: r.recipient,
		subject: r.subject,
		body: r.body,
		status: r.status,
		attempts: r.attempts,
		lastError: r.lastError,
		createdAt: r.createdAt,
		sentAt: r.sentAt,
		nextAttemptAt: r.nextAttemptAt,
		file: typeof r.payload?.file === 'string' ? r.payload.file : null
	}));
	return { rows, total, page, pages };
}
