import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { and, asc, eq, isNull, lt, lte, or } from 'drizzle-orm';
import webpush from 'web-push';
import { write, type Store } from '../../db/store';
import { systemClock, type Clock } from '../../shared/clock';
import { backoff } from '../../webhooks/delivery';
import { DELIVERY_TIMEOUT_MS, postToTarget, type PostResult } from '../../webhooks/target';
import { DELIVERY } from './queue';
import { vapidKeys } from './vapid';

// Sends the push rows of the outbox, the way webhook deliveries go out (webhooks/delivery.ts):
// each row is claimed atomically before it is sent, so that of several server processes on one
// database exactly one sends it; a failure is retried with backoff. The request is made by
// web-push (aes128gcm body, VAPID `Authorization: vapid t=…, k=…`, TTL, Urgency) and sent by
// the webhooks' postToTarget: no redirects, a timeout, and no private hosts unless allowed.

/** Attempts before a push is marked failed: after about 1 s, 5 s, 25 s, 2 min. */
export const MAX_PUSH_ATTEMPTS = 5;
const PROCESS_ID = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
const CLAIM_MS = DELIVERY_TIMEOUT_MS + 30_000;

export type PushPoster = (
	url: string,
	headers: Record<string, string>,
	body: Uint8Array
) => Promise<PostResult>;

/** The push service's answer that the subscription is gone for good (RFC 8030). */
const GONE = new Set([404, 410]);

/** Sends the pushes that are due; returns how many were attempted. */
export async function sendDuePushes(
	store: Store,
	options: { clock?: Clock; limit?: number; post?: PushPoster; claimer?: string } = {}
): Promise<number> {
	const { outgoingMessage, pushSubscription } = store.tables;
	const clock = options.clock ?? systemClock;
	const post = options.post ?? postToTarget;
	const claimer = options.claimer ?? PROCESS_ID;
	const unclaimed = (now: number) =>
		or(isNull(outgoingMessage.claimedUntil), lt(outgoingMessage.claimedUntil, now));
	const pending = (now: number) =>
		and(
			eq(outgoingMessage.channel, 'push'),
			eq(outgoingMessage.status, 'pending'),
			lte(outgoingMessage.nextAttemptAt, now),
			unclaimed(now)
		);
	const due = await store.db
		.select({ id: outgoingMessage.id })
		.from(outgoingMessage)
		.where(pending(clock()))
		.orderBy(asc(outgoingMessage.nextAttemptAt), asc(outgoingMessage.id))
		.limit(options.limit ?? 50);
	if (due.length === 0) return 0;
	const keys = await vapidKeys(store);
	let attempted = 0;
	for (const { id } of due) {
		const claimedAt = clock();
		const [message] = await write(store, (tx) =>
			tx
				.update(outgoingMessage)
				.set({ claimedBy: claimer, claimedUntil: claimedAt + CLAIM_MS })
				.where(and(eq(outgoingMessage.id, id), pending(claimedAt)))
				.returning()
		);
		if (!message) continue;
		const release = { claimedBy: null, claimedUntil: null };
		const mine = and(eq(outgoingMessage.id, id), eq(outgoingMessage.claimedBy, claimer));
		const subscriptionId = Number(message.payload?.subscriptionId);
		const [device] = await store.db
			.select()
			.from(pushSubscription)
			.where(eq(pushSubscription.id, subscriptionId));
		if (!device) {
			await write(store, (tx) =>
				tx
					.update(outgoingMessage)
					.set({ status: 'skipped', lastError: 'The device is no longer subscribed', ...release })
					.where(mine)
			);
			continue;
		}
		attempted += 1;
		const delivery = DELIVERY[message.kind as keyof typeof DELIVERY] ?? {
			ttl: 24 * 60 * 60,
			urgency: 'normal' as const
		};
		let status: number | null = null;
		let error: string | null = null;
		try {
			const request = webpush.generateRequestDetails(
				{ endpoint: device.endpoint, keys: { p256dh: device.p256dh, auth: device.auth } },
				JSON.stringify({
					title: message.subject,
					body: message.body,
					url: message.payload?.url ?? '/',
					tag: `${message.kind}-${message.id}`
				}),
				{
					vapidDetails: keys,
					TTL: delivery.ttl,
					urgency: delivery.urgency,
					contentEncoding: 'aes128gcm'
				}
			);
			const headers = Object.fromEntries(
				Object.entries(request.headers)
					.filter(([name]) => name.toLowerCase() !== 'content-length')
					.map(([name, value]) => [name, String(value)])
			);
			status = (await post(request.endpoint, headers, request.body as Buffer)).status;
		} catch (e) {
			const failure = e as Error & { status?: number };
			status = failure.status ?? null;
			error = (failure.message || String(e)).slice(0, 500);
		}
		const attempts = message.attempts + 1;
		const now = clock();
		await write(store, async (tx) => {
			if (error == null) {
				await tx
					.update(outgoingMessage)
					.set({ status: 'sent', sentAt: now, attempts, lastError: null, ...release })
					.where(mine);
				await tx
					.update(pushSubscription)
					.set({ lastSentAt: now })
					.where(eq(pushSubscription.id, device.id));
			} else if (status != null && GONE.has(status)) {
				// The phone unsubscribed or the browser was reset: never send there again.
				await tx.delete(pushSubscription).where(eq(pushSubscription.id, device.id));
				await tx
					.update(outgoingMessage)
					.set({
						status: 'failed',
						attempts,
						lastError: `${error} (the device unsubscribed: removed)`,
						...release
					})
					.where(mine);
			} else {
				await tx
					.update(outgoingMessage)
					.set({
						status: attempts >= MAX_PUSH_ATTEMPTS ? 'failed' : 'pending',
						attempts,
						lastError: error,
						nextAttemptAt: now + backoff(attempts),
						...release
					})
					.where(mine);
			}
		});
	}
	return attempted;
}
