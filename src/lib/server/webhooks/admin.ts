import { desc, eq, inArray, max } from 'drizzle-orm';
import * as z from 'zod';
import { write, type Store, type StoreDb } from '../db/store';
import { newWebhookSecret, queueDeliveryInWrite } from './delivery';
import { envelope, WEBHOOK_EVENTS } from './events';
import { auditInWrite, type Actor } from '../audit/record';
import { conflict } from '../shared/errors';
import { m } from '../../paraglide/messages.js';

// The admin console's side of webhooks: register, switch on and off, remove, send a test and
// read the delivery log. Every change is audited; the secret never is. On the store
// (db/store.ts): each change is one write with its audit entry, so what one node changes every
// node lists, and two changes of one webhook at once take turns.

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

export async function listWebhooks(store: Store) {
	const { webhook, webhookDelivery } = store.tables;
	const last = store.db
		.select({
			webhookId: webhookDelivery.webhookId,
			id: max(webhookDelivery.id).as('last_id')
		})
		.from(webhookDelivery)
		.groupBy(webhookDelivery.webhookId)
		.as('last');
	return store.db
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
		.orderBy(desc(webhook.createdAt), desc(webhook.id));
}

export async function listDeliveries(store: Store, limit = 50) {
	const { webhook, webhookDelivery } = store.tables;
	return store.db
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
		.limit(limit);
}

/** Registers a webhook; the secret is returned once, to be shown once. */
export async function createWebhook(store: Store, input: WebhookInput, actor: Actor, now: number) {
	const { webhook } = store.tables;
	const secret = newWebhookSecret();
	return write(store, async (tx) => {
		const [row] = await tx
			.insert(webhook)
			.values({ url: input.url, events: input.events, secret, active: true, createdAt: now })
			.returning({ id: webhook.id });
		await auditInWrite(
			tx,
			store,
			actor,
			'webhook.create',
			`webhook:${row.id}`,
			{ url: input.url, events: input.events },
			now
		);
		return { id: row.id, url: input.url, events: input.events, secret };
	});
}

async function foundInWrite(tx: StoreDb, store: Store, id: number) {
	const { webhook } = store.tables;
	const [row] = await tx
		.select({ id: webhook.id, url: webhook.url, active: webhook.active, events: webhook.events })
		.from(webhook)
		.where(eq(webhook.id, id));
	if (!row) throw conflict('webhook_gone', m.webhooks_gone());
	return row;
}

export async function setWebhookActive(
	store: Store,
	id: number,
	active: boolean,
	actor: Actor,
	now: number
) {
	const { webhook } = store.tables;
	return write(store, async (tx) => {
		const row = await foundInWrite(tx, store, id);
		await tx.update(webhook).set({ active }).where(eq(webhook.id, id));
		await auditInWrite(
			tx,
			store,
			actor,
			active ? 'webhook.enable' : 'webhook.disable',
			`webhook:${id}`,
			{ url: row.url },
			now
		);
		return { ...row, active };
	});
}

/** Removes a webhook and its delivery log (pending deliveries are dropped). */
export async function deleteWebhook(store: Store, id: number, actor: Actor, now: number) {
	const { webhook, webhookDelivery } = store.tables;
	return write(store, async (tx) => {
		const row = await foundInWrite(tx, store, id);
		// Their attempts go with them: the foreign key cascades, in both schemas.
		await tx.delete(webhookDelivery).where(eq(webhookDelivery.webhookId, id));
		await tx.delete(webhook).where(eq(webhook.id, id));
		await auditInWrite(tx, store, actor, 'webhook.delete', `webhook:${id}`, { url: row.url }, now);
		return row;
	});
}

/** Queues a signed test delivery for one webhook; the regular delivery job sends it. */
export async function queueTestEvent(store: Store, id: number, actor: Actor, now: number) {
	return write(store, async (tx) => {
		const row = await foundInWrite(tx, store, id);
		if (!row.active) throw conflict('webhook_disabled', m.webhooks_enable_before_test());
		const data = {
			test: true as const,
			message: 'A test delivery from Honorboard: no action needed.'
		};
		await queueDeliveryInWrite(tx, store, id, envelope('webhook.test', data, now), now);
		await auditInWrite(tx, store, actor, 'webhook.test', `webhook:${id}`, { url: row.url }, now);
		return row;
	});
}

/** Every attempt of the given deliveries, newest first, grouped by delivery. */
export async function listAttempts(store: Store, deliveryIds: number[]) {
	const { webhookAttempt } = store.tables;
	const byDelivery = new Map<number, (typeof webhookAttempt.$inferSelect)[]>();
	if (deliveryIds.length === 0) return byDelivery;
	const rows = await store.db
		.select()
		.from(webhookAttempt)
		.where(inArray(webhookAttempt.deliveryId, deliveryIds))
		.orderBy(desc(webhookAttempt.id));
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
export async function redeliver(store: Store, deliveryId: number, actor: Actor, now: number) {
	const { webhook, webhookDelivery } = store.tables;
	return write(store, async (tx) => {
		const [row] = await tx
			.select({
				id: webhookDelivery.id,
				webhookId: webhookDelivery.webhookId,
				event: webhookDelivery.event,
				url: webhook.url,
				active: webhook.active
			})
			.from(webhookDelivery)
			.innerJoin(webhook, eq(webhook.id, webhookDelivery.webhookId))
			.where(eq(webhookDelivery.id, deliveryId));
		if (!row) throw conflict('delivery_gone', m.webhooks_delivery_gone());
		if (!row.active) throw conflict('webhook_disabled', m.webhooks_enable_before_redeliver());
		await tx
			.update(webhookDelivery)
			.set({ status: 'pending', attempts: 0, nextAttemptAt: now, deliveredAt: null })
			.where(eq(webhookDelivery.id, deliveryId));
		await auditInWrite(
			tx,
			store,
			actor,
			'webhook.redeliver',
			`webhook:${row.webhookId}`,
			{ url: row.url, deliveryId, event: row.event },
			now
		);
		return row;
	});
}
