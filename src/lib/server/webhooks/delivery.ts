import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, asc, eq, lte } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import { webhook, webhookDelivery, type WebhookEvent } from '../db/schema';
import { literal, prepared } from '../db/prepared';
import { systemClock, type Clock } from '../shared/clock';

export const WEBHOOK_EVENTS: readonly WebhookEvent[] = [
	'sale.confirmed',
	'badge.awarded',
	'season.ended'
];
/** Attempts before a delivery is marked failed: after 1 s, 5 s, 25 s, ~2 min, ~10 min. */
export const MAX_ATTEMPTS = 6;

export function newWebhookSecret(): string {
	return `whsec_${randomBytes(24).toString('hex')}`;
}

/**
 * The signature a receiver checks: HMAC-SHA256 over `${timestamp}.${body}` with the secret,
 * sent as `X-Honorboard-Signature: t=<timestamp>,v1=<hex>`. The timestamp lets receivers refuse
 * replays of old deliveries.
 */
function sign(secret: string, timestamp: number, body: string): string {
	return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export function verifySignature(
	secret: string,
	header: string,
	body: string,
	now: number,
	toleranceMs = 5 * 60_000
): boolean {
	const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]));
	const timestamp = Number(parts.t);
	if (!Number.isFinite(timestamp) || Math.abs(now - timestamp * 1000) > toleranceMs) return false;
	const expected = Buffer.from(sign(secret, timestamp, body), 'hex');
	const given = Buffer.from(parts.v1 ?? '', 'hex');
	return given.length === expected.length && timingSafeEqual(given, expected);
}

// Every confirmed sale asks: prepared once per connection, since most installations have no
// webhook.
const activeWebhooks = (db: Queryable) =>
	db
		.select({ id: webhook.id, events: webhook.events })
		.from(webhook)
		.where(eq(webhook.active, literal(true)))
		.prepare();

export type Subscribers = { id: number; events: WebhookEvent[] }[];

/** The active webhooks; a batch of sales reads them once (they cannot change inside it). */
export function activeSubscribers(tx: Queryable): Subscribers {
	return prepared(tx, activeWebhooks).all();
}

/** Queues an event for every active webhook that wants it, inside the event's transaction. */
export function enqueueWebhooks(
	tx: Queryable,
	event: WebhookEvent,
	data: Record<string, unknown>,
	now: number,
	subscribers: Subscribers = activeSubscribers(tx)
): void {
	const hooks = subscribers.filter((h) => h.events.includes(event));
	for (const hook of hooks) {
		tx.insert(webhookDelivery)
			.values({
				webhookId: hook.id,
				event,
				payload: { event, createdAt: new Date(now).toISOString(), data },
				nextAttemptAt: now,
				createdAt: now
			})
			.run();
	}
}

function backoff(attempts: number): number {
	return 1000 * 5 ** (attempts - 1);
}

/**
 * Sends the deliveries that are due, one POST each (10 s timeout); a non-2xx answer or a
 * network error is retried with exponential backoff until MAX_ATTEMPTS. Returns how many were
 * attempted.
 */
export async function deliverDueWebhooks(
	db: Db,
	options: { clock?: Clock; limit?: number; fetch?: typeof fetch } = {}
): Promise<number> {
	const clock = options.clock ?? systemClock;
	const send = options.fetch ?? fetch;
	const due = db
		.select({ delivery: webhookDelivery, hook: webhook })
		.from(webhookDelivery)
		.innerJoin(webhook, eq(webhook.id, webhookDelivery.webhookId))
		.where(and(eq(webhookDelivery.status, 'pending'), lte(webhookDelivery.nextAttemptAt, clock())))
		.orderBy(asc(webhookDelivery.nextAttemptAt), asc(webhookDelivery.id))
		.limit(options.limit ?? 50)
		.all();
	for (const { delivery, hook } of due) {
		const body = JSON.stringify({ id: delivery.id, ...delivery.payload });
		const timestamp = Math.floor(clock() / 1000);
		let status: number | null = null;
		let error: string | null = null;
		try {
			const response = await send(hook.url, {
				method: 'POST',
				headers: {
					'content-type': 'application/json',
					'user-agent': 'Honorboard-Webhooks/1',
					'x-honorboard-event': delivery.event,
					'x-honorboard-delivery': String(delivery.id),
					'x-honorboard-signature': `t=${timestamp},v1=${sign(hook.secret, timestamp, body)}`
				},
				body,
				signal: AbortSignal.timeout(10_000)
			});
			status = response.status;
			if (!response.ok) error = `HTTP ${response.status}`;
		} catch (e) {
			error = (e as Error).message;
		}
		const attempts = delivery.attempts + 1;
		const now = clock();
		db.update(webhookDelivery)
			.set(
				error == null
					? { status: 'delivered', attempts, lastStatus: status, lastError: null, deliveredAt: now }
					: {
							status: attempts >= MAX_ATTEMPTS ? 'failed' : 'pending',
							attempts,
							lastStatus: status,
							lastError: error.slice(0, 500),
							nextAttemptAt: now + backoff(attempts)
						}
			)
			.where(eq(webhookDelivery.id, delivery.id))
			.run();
	}
	return due.length;
}
