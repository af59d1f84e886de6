import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { hostname } from 'node:os';
import { and, asc, eq, isNull, lt, lte, or } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import { webhook, webhookDelivery, type WebhookEvent } from '../db/schema';
import { literal, prepared } from '../db/prepared';
import { systemClock, type Clock } from '../shared/clock';
import { countWebhookDelivery } from '../shared/metrics';
import { DELIVERY_TIMEOUT_MS, postToTarget, type PostResult } from './target';

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

/** This process, as the claimer of the deliveries it sends. */
const PROCESS_ID = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
/** Longer than a send can take: a claim left by a crashed process expires after it. */
export const CLAIM_MS = DELIVERY_TIMEOUT_MS + 30_000;

export type Sender = (
	url: string,
	headers: Record<string, string>,
	body: string
) => Promise<PostResult>;

/**
 * Sends the deliveries that are due, one POST each (5 s timeout, no redirects, public hosts
 * only: see target.ts); a non-2xx answer or a network error is retried with exponential backoff
 * until MAX_ATTEMPTS. Several server processes may share the database: each delivery is claimed
 * atomically before it is sent, so exactly one of them sends it. Returns how many were
 * attempted.
 */
export async function deliverDueWebhooks(
	db: Db,
	options: { clock?: Clock; limit?: number; send?: Sender; claimer?: string } = {}
): Promise<number> {
	const clock = options.clock ?? systemClock;
	const send = options.send ?? postToTarget;
	const claimer = options.claimer ?? PROCESS_ID;
	const unclaimed = (now: number) =>
		or(isNull(webhookDelivery.claimedUntil), lt(webhookDelivery.claimedUntil, now));
	const due = db
		.select({ id: webhookDelivery.id })
		.from(webhookDelivery)
		.where(
			and(
				eq(webhookDelivery.status, 'pending'),
				lte(webhookDelivery.nextAttemptAt, clock()),
				unclaimed(clock())
			)
		)
		.orderBy(asc(webhookDelivery.nextAttemptAt), asc(webhookDelivery.id))
		.limit(options.limit ?? 50)
		.all();
	let attempted = 0;
	for (const { id } of due) {
		// The claim: one UPDATE that only one process can win (SQLite serialises writers). It
		// re-checks that the delivery is still pending and due, since another process may have
		// sent it since the SELECT above.
		const claimedAt = clock();
		const delivery = db
			.update(webhookDelivery)
			.set({ claimedBy: claimer, claimedUntil: claimedAt + CLAIM_MS })
			.where(
				and(
					eq(webhookDelivery.id, id),
					eq(webhookDelivery.status, 'pending'),
					lte(webhookDelivery.nextAttemptAt, claimedAt),
					unclaimed(claimedAt)
				)
			)
			.returning()
			.get();
		if (!delivery) continue;
		const hook = db.select().from(webhook).where(eq(webhook.id, delivery.webhookId)).get();
		if (!hook) continue;
		attempted += 1;
		const body = JSON.stringify({ id: delivery.id, ...delivery.payload });
		const timestamp = Math.floor(clock() / 1000);
		let status: number | null = null;
		let error: string | null = null;
		try {
			const response = await send(
				hook.url,
				{
					'content-type': 'application/json',
					'user-agent': 'Honorboard-Webhooks/1',
					'x-honorboard-event': delivery.event,
					'x-honorboard-delivery': String(delivery.id),
					'x-honorboard-signature': `t=${timestamp},v1=${sign(hook.secret, timestamp, body)}`
				},
				body
			);
			status = response.status;
		} catch (e) {
			const failure = e as Error & { status?: number };
			status = failure.status ?? null;
			error = failure.message || String(e);
		}
		const attempts = delivery.attempts + 1;
		const now = clock();
		const release = { claimedBy: null, claimedUntil: null };
		db.update(webhookDelivery)
			.set(
				error == null
					? {
							status: 'delivered',
							attempts,
							lastStatus: status,
							lastError: null,
							deliveredAt: now,
							...release
						}
					: {
							status: attempts >= MAX_ATTEMPTS ? 'failed' : 'pending',
							attempts,
							lastStatus: status,
							lastError: error.slice(0, 500),
							nextAttemptAt: now + backoff(attempts),
							...release
						}
			)
			.where(and(eq(webhookDelivery.id, delivery.id), eq(webhookDelivery.claimedBy, claimer)))
			.run();
		countWebhookDelivery(error == null, attempts >= MAX_ATTEMPTS);
	}
	return attempted;
}
