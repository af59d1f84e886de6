import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Webhook } from 'standardwebhooks';
import { hostname } from 'node:os';
import { and, asc, eq, isNull, lt, lte, or } from 'drizzle-orm';
import { preparedQuery, write, type Store, type StoreDb, type Tables } from '../db/store';
import type { WebhookEvent } from '../db/schema';
import { emitDomainEventInWrite } from '../notify/events';
import { envelope, type WebhookData, type WebhookEnvelope } from './events';
import { systemClock, type Clock } from '../shared/clock';
import { countWebhookDelivery } from '../shared/metrics';
import { DELIVERY_TIMEOUT_MS, postToTarget, type PostResult } from './target';

export { WEBHOOK_EVENTS } from './events';
/** Attempts before a delivery is marked failed: after about 1 s, 5 s, 25 s, 2 min, 10 min. */
export const MAX_ATTEMPTS = 6;

/** A Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export function newWebhookSecret(): string {
	return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The `webhook-id` of a new delivery: unique, and kept by every retry and redelivery. */
export function newMessageId(): string {
	return `msg_${randomBytes(16).toString('base64url')}`;
}

/**
 * The headers of one attempt, signed by the `standardwebhooks` package: `webhook-signature` is
 * `v1,<base64 HMAC-SHA256 of id.timestamp.body>`. Secrets made before Standard Webhooks
 * (`whsec_` + 48 hex digits) are valid base64 too: they keep working unchanged.
 */
export function signedHeaders(
	secret: string,
	messageId: string,
	at: number,
	body: string
): Record<string, string> {
	const timestamp = new Date(at);
	return {
		'webhook-id': messageId,
		'webhook-timestamp': String(Math.floor(at / 1000)),
		'webhook-signature': new Webhook(secret).sign(messageId, timestamp, body)
	};
}

// Every confirmed sale asks: prepared once per connection, since most installations have no
// webhook. A store query (`build(db, tables)`): a sale recorded in a store's write awaits it
// with preparedQuery (scoring/sale-lookups.ts).
const activeWebhooks = (db: StoreDb, { webhook }: Tables) =>
	db
		.select({ id: webhook.id, events: webhook.events })
		.from(webhook)
		.where(eq(webhook.active, true))
		.prepare('webhooks_active');

export type Subscribers = { id: number; events: WebhookEvent[] }[];

/** The active webhooks, inside a store's write (a group of sales reads them once). */
export async function activeSubscribersInWrite(tx: StoreDb, store: Store): Promise<Subscribers> {
	return preparedQuery(tx, store, activeWebhooks).execute();
}

/**
 * Queues an event for every active webhook that wants it, inside the event's store write (the
 * sales, the badges, reviewing a sale, a season's end). The data is checked against the event's
 * one schema (events.ts): every emitter sends one shape. Mail, push and chat channels hear the
 * same event in the same write (notify/events.ts).
 */
export async function enqueueWebhooksInWrite<E extends WebhookEvent>(
	tx: StoreDb,
	store: Store,
	event: E,
	data: WebhookData<E>,
	now: number,
	subscribers?: Subscribers
): Promise<void> {
	if (event !== 'webhook.test')
		await emitDomainEventInWrite(
			tx,
			store,
			event as Exclude<E, 'webhook.test'>,
			data as never,
			now
		);
	const hooks = (subscribers ?? (await activeSubscribersInWrite(tx, store))).filter((h) =>
		h.events.includes(event)
	);
	if (hooks.length === 0) return;
	const payload = envelope(event, data, now);
	// One insert for every webhook: each was a round trip of its own on PostgreSQL.
	await tx
		.insert(store.tables.webhookDelivery)
		.values(hooks.map((hook) => deliveryRow(hook.id, payload, now)));
}

/** One delivery of a payload to one webhook, due now, inside a store's write (the test event). */
export async function queueDeliveryInWrite(
	tx: StoreDb,
	store: Store,
	webhookId: number,
	payload: WebhookEnvelope,
	now: number
): Promise<void> {
	await tx.insert(store.tables.webhookDelivery).values(deliveryRow(webhookId, payload, now));
}

function deliveryRow(webhookId: number, payload: WebhookEnvelope, now: number) {
	return {
		webhookId,
		event: payload.type,
		payload,
		messageId: newMessageId(),
		nextAttemptAt: now,
		createdAt: now
	};
}

/**
 * The wait before the next attempt: 1 s, 5 s, 25 s… times a random factor between 0.75 and
 * 1.25, so that deliveries that failed together (a receiver that was down) do not all come
 * back at the same moment.
 */
export function backoff(attempts: number, random: () => number = Math.random): number {
	return Math.round(1000 * 5 ** (attempts - 1) * (0.75 + random() / 2));
}

/** The body as sent: deliveries queued before the envelope had `{ event, createdAt, data }`. */
function bodyOf(payload: Record<string, unknown>): string {
	if ('type' in payload) return JSON.stringify(payload);
	return JSON.stringify({ type: payload.event, timestamp: payload.createdAt, data: payload.data });
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
 * until MAX_ATTEMPTS. Several server processes (nodes) may share the database: each delivery is
 * claimed by one write before it is sent, so exactly one of them sends it; the sending itself is
 * outside any write. Returns how many were attempted.
 */
export async function deliverDueWebhooks(
	store: Store,
	options: { clock?: Clock; limit?: number; send?: Sender; claimer?: string } = {}
): Promise<number> {
	const { webhook, webhookAttempt, webhookDelivery } = store.tables;
	const clock = options.clock ?? systemClock;
	const send = options.send ?? postToTarget;
	const claimer = options.claimer ?? PROCESS_ID;
	const dueNow = (now: number) =>
		and(
			eq(webhookDelivery.status, 'pending'),
			lte(webhookDelivery.nextAttemptAt, now),
			or(isNull(webhookDelivery.claimedUntil), lt(webhookDelivery.claimedUntil, now))
		);
	const due = await store.db
		.select({ id: webhookDelivery.id })
		.from(webhookDelivery)
		.where(dueNow(clock()))
		.orderBy(asc(webhookDelivery.nextAttemptAt), asc(webhookDelivery.id))
		.limit(options.limit ?? 50);
	let attempted = 0;
	for (const { id } of due) {
		// The claim: one UPDATE that only one node can win. It re-checks that the delivery is still
		// pending and due, since another node may have sent it since the SELECT above.
		const claimedAt = clock();
		const claimed = await write(store, async (tx) => {
			const [delivery] = await tx
				.update(webhookDelivery)
				.set({ claimedBy: claimer, claimedUntil: claimedAt + CLAIM_MS })
				.where(and(eq(webhookDelivery.id, id), dueNow(claimedAt)))
				.returning();
			if (!delivery) return undefined;
			const [hook] = await tx.select().from(webhook).where(eq(webhook.id, delivery.webhookId));
			return hook ? { delivery, hook } : undefined;
		});
		if (!claimed) continue;
		const { delivery, hook } = claimed;
		attempted += 1;
		const body = bodyOf(delivery.payload);
		const messageId = delivery.messageId ?? `msg_legacy_${delivery.id}`;
		const attemptedAt = clock();
		const started = performance.now();
		let status: number | null = null;
		let error: string | null = null;
		try {
			const response = await send(
				hook.url,
				{
					'content-type': 'application/json',
					'user-agent': 'Honorboard-Webhooks/2',
					...signedHeaders(hook.secret, messageId, attemptedAt, body)
				},
				body
			);
			status = response.status;
		} catch (e) {
			const failure = e as Error & { status?: number };
			status = failure.status ?? null;
			error = (failure.message || String(e)).slice(0, 500);
		}
		const durationMs = Math.round(performance.now() - started);
		const attempts = delivery.attempts + 1;
		const now = clock();
		const release = { claimedBy: null, claimedUntil: null };
		const outcome =
			error == null
				? { status: 'delivered' as const, deliveredAt: now, lastError: null }
				: {
						status: attempts >= MAX_ATTEMPTS ? ('failed' as const) : ('pending' as const),
						lastError: error,
						nextAttemptAt: now + backoff(attempts)
					};
		await write(store, async (tx) => {
			await tx.insert(webhookAttempt).values({
				deliveryId: delivery.id,
				attemptedAt,
				durationMs,
				httpStatus: status,
				error,
				ok: error == null
			});
			await tx
				.update(webhookDelivery)
				.set({ ...outcome, attempts, lastStatus: status, ...release })
				.where(and(eq(webhookDelivery.id, delivery.id), eq(webhookDelivery.claimedBy, claimer)));
		});
		countWebhookDelivery(error == null, attempts >= MAX_ATTEMPTS);
	}
	return attempted;
}
