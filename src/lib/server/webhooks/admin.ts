import { desc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Queryable } from '../db';
import { webhook, webhookAttempt, webhookDelivery } from '../db/schema';
import { newWebhookSecret, queueDelivery } from './delivery';
import { envelope, WEBHOOK_EVENTS } from './events';
import { audit, type Actor } from '../audit/record';
import { conflict } from '../shared/errors';
import { m } from '../../paraglide/messages.js';

// The admin console's side of webhooks: register, switch on and off, remove, send a test and
// read the delivery log. Every change is audited; the secret never is.

export const webhookInput = z.object({
	url: z
		.string()
		.trim()
		.min(1, { error: () => m.webhooks_url_required() })
		.max(2000, { error: () => m.webhooks_url_too_long() })
		.refine(
			(value) => {
				try {
					const url = new URL(value);
					return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
				} catch {
					return false;
				}
			},
			{ error: () => m.webhooks_url_invalid() }
		),
	events: z
		.array(z.enum(WEBHOOK_EVENTS, { error: () => m.webhooks_event_unknown() }))
		.min(1, { error: () => m.webhooks_events_required() })
});
export type WebhookInput = z.infer<typeof webhookInput>;

export function listWebhooks(db: Queryable) {
	const last = db
		.select({
			webhookId: webhookDelivery.webhookId,
			id: sql<number>`max(${webhookDelivery.id})`.as('last_id')
		})
		.from(webhookDelivery)
		.groupBy(webhookDelivery.webhookId)
		.as('last');
	return db
		.select({
			id: webhook.id,
			url: webhook.url,
			events: webhook.events,
			active: webhook.active,
			createdAt: webhook.createdAt,
			lastStatus: webhookDelivery.status,
			lastHttp: webhookDelivery.lastStatus,
			lastAt: webhookDelivery.createdAt
		})
		.from(webhook)
		.leftJoin(last, eq(last.webhookId, webhook.id))
		.leftJoin(webhookDelivery, eq(webhookDelivery.id, last.id))
		.orderBy(desc(webhook.createdAt), desc(webhook.id))
		.all();
}

export function listDeliveries(db: Queryable, limit = 50) {
	return db
		.select({
			id: webhookDelivery.id,
			webhookId: webhookDelivery.webhookId,
			url: webhook.url,
			event: webhookDelivery.event,
			messageId: webhookDelivery.messageId,
			status: webhookDelivery.status,
			httpStatus: webhookDelivery.lastStatus,
			attempts: webhookDelivery.attempts,
			nextAttemptAt: webhookDelivery.nextAttemptAt,
			lastError: webhookDelivery.lastError,
			createdAt: webhookDelivery.createdAt,
			deliveredAt: webhookDelivery.deliveredAt
		})
		.from(webhookDelivery)
		.innerJoin(webhook, eq(webhook.id, webhookDelivery.webhookId))
		.orderBy(desc(webhookDelivery.id))
		.limit(limit)
		.all();
}

/** Registers a webhook; the secret is returned once, to be shown once. */
export function createWebhook(db: Db, input: WebhookInput, actor: Actor, now: number) {
	const secret = newWebhookSecret();
	return db.transaction(
		(tx) => {
			const row = tx
				.insert(webhook)
				.values({ url: input.url, events: input.events, secret, active: true, createdAt: now })
				.returning({ id: webhook.id })
				.get();
			audit(
				tx,
				actor,
				'webhook.create',
				`webhook:${row.id}`,
				{ url: input.url, events: input.events },
				now
			);
			return { id: row.id, url: input.url, events: input.events, secret };
		},
		{ behavior: 'immediate' }
	);
}

function found(db: Queryable, id: number) {
	const row = db
		.select({ id: webhook.id, url: webhook.url, active: webhook.active, events: webhook.events })
		.from(webhook)
		.where(eq(webhook.id, id))
		.get();
	if (!row) throw conflict('webhook_gone', m.webhooks_gone());
	return row;
}

export function setWebhookActive(db: Db, id: number, active: boolean, actor: Actor, now: number) {
	return db.transaction(
		(tx) => {
			const row = found(tx, id);
			tx.update(webhook).set({ active }).where(eq(webhook.id, id)).run();
			audit(
				tx,
				actor,
				active ? 'webhook.enable' : 'webhook.disable',
				`webhook:${id}`,
				{ url: row.url },
				now
			);
			return { ...row, active };
		},
		{ behavior: 'immediate' }
	);
}

/** Removes a webhook and its delivery log (pending deliveries are dropped). */
export function deleteWebhook(db: Db, id: number, actor: Actor, now: number) {
	return db.transaction(
		(tx) => {
			const row = found(tx, id);
			tx.delete(webhookDelivery).where(eq(webhookDelivery.webhookId, id)).run();
			tx.delete(webhook).where(eq(webhook.id, id)).run();
			audit(tx, actor, 'webhook.delete', `webhook:${id}`, { url: row.url }, now);
			return row;
		},
		{ behavior: 'immediate' }
	);
}

/** Queues a signed test delivery for one webhook; the regular delivery job sends it. */
export function queueTestEvent(db: Db, id: number, actor: Actor, now: number) {
	return db.transaction(
		(tx) => {
			const row = found(tx, id);
			if (!row.active) throw conflict('webhook_disabled', m.webhooks_enable_before_test());
			const data = {
				test: true as const,
				message: 'A test delivery from Honorboard: no action needed.'
			};
			queueDelivery(tx, id, envelope('webhook.test', data, now), now);
			audit(tx, actor, 'webhook.test', `webhook:${id}`, { url: row.url }, now);
			return row;
		},
		{ behavior: 'immediate' }
	);
}

/** Every attempt of the given deliveries, newest first, grouped by delivery. */
export function listAttempts(db: Queryable, deliveryIds: number[]) {
	const byDelivery = new Map<number, (typeof webhookAttempt.$inferSelect)[]>();
	if (deliveryIds.length === 0) return byDelivery;
	const rows = db
		.select()
		.from(webhookAttempt)
		.where(inArray(webhookAttempt.deliveryId, deliveryIds))
		.orderBy(desc(webhookAttempt.id))
		.all();
	for (const row of rows) {
		const list = byDelivery.get(row.deliveryId) ?? [];
		list.push(row);
		byDelivery.set(row.deliveryId, list);
	}
	return byDelivery;
}

/**
 * Sends a delivery again as it was first sent (same body, same `webhook-id`, so a receiver that
 * got it already can tell): it is due at once, with a fresh round of retries. Its attempts so far
 * stay in the log.
 */
export function redeliver(db: Db, deliveryId: number, actor: Actor, now: number) {
	return db.transaction(
		(tx) => {
			const row = tx
				.select({
					id: webhookDelivery.id,
					webhookId: webhookDelivery.webhookId,
					event: webhookDelivery.event,
					url: webhook.url,
					active: webhook.active
				})
				.from(webhookDelivery)
				.innerJoin(webhook, eq(webhook.id, webhookDelivery.webhookId))
				.where(eq(webhookDelivery.id, deliveryId))
				.get();
			if (!row) throw conflict('delivery_gone', m.webhooks_delivery_gone());
			if (!row.active) throw conflict('webhook_disabled', m.webhooks_enable_before_redeliver());
			tx.update(webhookDelivery)
				.set({ status: 'pending', attempts: 0, nextAttemptAt: now, deliveredAt: null })
				.where(eq(webhookDelivery.id, deliveryId))
				.run();
			audit(
				tx,
				actor,
				'webhook.redeliver',
				`webhook:${row.webhookId}`,
				{ url: row.url, deliveryId, event: row.event },
				now
			);
			return row;
		},
		{ behavior: 'immediate' }
	);
}
