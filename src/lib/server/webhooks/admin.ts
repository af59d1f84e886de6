import { desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Queryable } from '../db';
import { webhook, webhookDelivery, type WebhookEvent } from '../db/schema';
import { newWebhookSecret, WEBHOOK_EVENTS } from './delivery';
import { audit, type Actor } from '../audit/record';
import { conflict } from '../shared/errors';

// The admin console's side of webhooks: register, switch on and off, remove, send a test and
// read the delivery log. Every change is audited; the secret never is.

/** Sent by "Send test event": receivers can answer it without acting on it. */
const TEST_EVENT = 'webhook.test';

export const webhookInput = z.object({
	url: z
		.string()
		.trim()
		.min(1, 'Enter the URL that receives the events.')
		.max(2000, 'The URL is too long.')
		.refine((value) => {
			try {
				const url = new URL(value);
				return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
			} catch {
				return false;
			}
		}, 'Enter a full http:// or https:// URL.'),
	events: z
		.array(z.enum(WEBHOOK_EVENTS as [WebhookEvent, ...WebhookEvent[]], 'Unknown event.'))
		.min(1, 'Choose at least one event.')
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
	return db.transaction((tx) => {
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
	});
}

function found(db: Queryable, id: number) {
	const row = db
		.select({ id: webhook.id, url: webhook.url, active: webhook.active, events: webhook.events })
		.from(webhook)
		.where(eq(webhook.id, id))
		.get();
	if (!row) throw conflict('webhook_gone', 'This webhook no longer exists.');
	return row;
}

export function setWebhookActive(db: Db, id: number, active: boolean, actor: Actor, now: number) {
	return db.transaction((tx) => {
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
	});
}

/** Removes a webhook and its delivery log (pending deliveries are dropped). */
export function deleteWebhook(db: Db, id: number, actor: Actor, now: number) {
	return db.transaction((tx) => {
		const row = found(tx, id);
		tx.delete(webhookDelivery).where(eq(webhookDelivery.webhookId, id)).run();
		tx.delete(webhook).where(eq(webhook.id, id)).run();
		audit(tx, actor, 'webhook.delete', `webhook:${id}`, { url: row.url }, now);
		return row;
	});
}

/** Queues a signed test delivery for one webhook; the regular delivery job sends it. */
export function queueTestEvent(db: Db, id: number, actor: Actor, now: number) {
	return db.transaction((tx) => {
		const row = found(tx, id);
		if (!row.active)
			throw conflict('webhook_disabled', 'Enable the webhook before sending it a test.');
		// Note: the event column is typed to the real events; a test is the one other value.
		const event = TEST_EVENT as WebhookEvent;
		const data = { test: true, message: 'A test delivery from Honorboard: no action needed.' };
		tx.insert(webhookDelivery)
			.values({
				webhookId: id,
				event,
				payload: { event, createdAt: new Date(now).toISOString(), data },
				nextAttemptAt: now,
				createdAt: now
			})
			.run();
		audit(tx, actor, 'webhook.test', `webhook:${id}`, { url: row.url }, now);
		return row;
	});
}
