// Webhooks on the store (#20, db/store.ts): the admin console's commands and lists, the CLI's,
// and the delivery job, with the same assertions on a temp SQLite file and a throwaway
// PostgreSQL (tests/helpers/postgres.ts). "Two nodes" are two stores on one database: two SQLite
// connections to one file, two PostgreSQL pools.
import { describe, expect, it } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import type { Store } from '../../src/lib/server/db/store';
import {
	createWebhook,
	deleteWebhook,
	listAttempts,
	listDeliveries,
	listWebhooks,
	queueTestEvent,
	redeliver,
	setWebhookActive
} from '../../src/lib/server/webhooks/admin';
import {
	CLAIM_MS,
	deliverDueWebhooks,
	MAX_ATTEMPTS,
	type Sender
} from '../../src/lib/server/webhooks/delivery';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { appErrorCode, auditsOf } from '../helpers/store-season';

const nodes = twoNodesPerDialect('webhooks-store');

const ADMIN = {};
let hooks = 0;
const input = () => ({
	url: `https://hooks${++hooks}.example.com/in`,
	events: ['sale.confirmed' as const, 'season.ended' as const]
});

/** A receiver that records what it was sent and answers with the given statuses in turn. */
function receiver(...statuses: number[]) {
	const sent: { url: string; headers: Record<string, string>; body: string }[] = [];
	const send: Sender = async (url, headers, body) => {
		sent.push({ url, headers, body });
		const status = statuses.length > 1 ? statuses.shift()! : (statuses[0] ?? 200);
		if (status >= 300) throw Object.assign(new Error(`HTTP ${status}`), { status });
		return { status };
	};
	return { sent, send };
}

async function deliveryOf(store: Store, id: number) {
	const { webhookDelivery } = store.tables;
	const [row] = await store.db.select().from(webhookDelivery).where(eq(webhookDelivery.id, id));
	return row;
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i];

	it('a webhook made on one node is listed on the other, audited, its secret not listed', async () => {
		const made = await createWebhook(node(0), input(), ADMIN, 1_000);
		expect(made.secret).toMatch(/^whsec_/);
		const listed = (await listWebhooks(node(1))).find((w) => w.id === made.id);
		expect(listed).toMatchObject({ url: made.url, events: made.events, active: true });
		expect(listed).not.toHaveProperty('secret');
		expect(listed?.lastAt).toBeNull();
		expect(await auditsOf(node(1), `webhook:${made.id}`)).toEqual([
			{ action: 'webhook.create', data: { url: made.url, events: made.events } }
		]);
	});

	it('a test event queued on one node is sent once by two nodes delivering together, signed', async () => {
		// A real clock: the receiver refuses a signature whose timestamp is not recent.
		const queuedAt = Date.now();
		const made = await createWebhook(node(0), input(), ADMIN, queuedAt);
		await queueTestEvent(node(0), made.id, ADMIN, queuedAt);
		const a = receiver(204);
		const b = receiver(204);
		const clock = () => queuedAt + 1_000;
		const [fromA, fromB] = await Promise.all([
			deliverDueWebhooks(node(0), { clock, send: a.send, claimer: 'a' }),
			deliverDueWebhooks(node(1), { clock, send: b.send, claimer: 'b' })
		]);
		const sent = [...a.sent, ...b.sent].filter((s) => s.url === made.url);
		expect(sent).toHaveLength(1);
		expect(fromA + fromB).toBeGreaterThanOrEqual(1);
		// The receiver verifies it with the secret shown once.
		expect(new Webhook(made.secret).verify(sent[0].body, sent[0].headers)).toMatchObject({
			type: 'webhook.test',
			data: { test: true }
		});
		const [delivery] = (await listDeliveries(node(1))).filter((d) => d.webhookId === made.id);
		expect(delivery).toMatchObject({ status: 'delivered', httpStatus: 204, attempts: 1 });
		expect(delivery.messageId).toBe(sent[0].headers['webhook-id']);
		const log = (await listAttempts(node(0), [delivery.id])).get(delivery.id);
		expect(log).toHaveLength(1);
		expect(log?.[0]).toMatchObject({ ok: true, httpStatus: 204, error: null });
		const listed = (await listWebhooks(node(0))).find((w) => w.id === made.id);
		expect(listed).toMatchObject({ lastStatus: 'delivered', lastHttp: 204, lastAt: queuedAt });
		// Nothing is due any more on either node.
		expect(await deliverDueWebhooks(node(1), { clock, send: b.send })).toBe(0);
	});

	it('a failing receiver is retried later, then marked failed; a redelivery starts over, its log kept', async () => {
		const made = await createWebhook(node(0), input(), ADMIN, 1_000);
		await queueTestEvent(node(1), made.id, ADMIN, 2_000);
		const [{ id }] = (await listDeliveries(node(0))).filter((d) => d.webhookId === made.id);
		const down = receiver(503);
		let now = 2_000;
		for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
			expect(
				await deliverDueWebhooks(node(attempt % 2), { clock: () => now, send: down.send })
			).toBe(1);
			// Not due again until its backoff has passed.
			expect(await deliverDueWebhooks(node(0), { clock: () => now, send: down.send })).toBe(0);
			now = (await deliveryOf(node(0), id)).nextAttemptAt + 1;
		}
		expect(await deliveryOf(node(1), id)).toMatchObject({
			status: 'failed',
			attempts: MAX_ATTEMPTS,
			lastStatus: 503,
			lastError: 'HTTP 503'
		});
		expect(await deliverDueWebhooks(node(0), { clock: () => now + 1e9, send: down.send })).toBe(0);

		await redeliver(node(1), id, ADMIN, now);
		expect(await deliveryOf(node(0), id)).toMatchObject({ status: 'pending', attempts: 0 });
		const up = receiver(200);
		expect(await deliverDueWebhooks(node(0), { clock: () => now, send: up.send })).toBe(1);
		expect(await deliveryOf(node(1), id)).toMatchObject({ status: 'delivered', attempts: 1 });
		// The redelivery is the same message; every attempt stays in the log.
		expect(up.sent[0].headers['webhook-id']).toBe(down.sent[0].headers['webhook-id']);
		expect((await listAttempts(node(1), [id])).get(id)).toHaveLength(MAX_ATTEMPTS + 1);
		expect((await auditsOf(node(0), `webhook:${made.id}`)).map((a) => a.action)).toEqual([
			'webhook.create',
			'webhook.test',
			'webhook.redeliver'
		]);
	});

	it('a delivery another node claimed is left alone until the claim expires', async () => {
		const made = await createWebhook(node(0), input(), ADMIN, 1_000);
		await queueTestEvent(node(0), made.id, ADMIN, 2_000);
		const [{ id }] = (await listDeliveries(node(0))).filter((d) => d.webhookId === made.id);
		const { webhookDelivery } = node(0).tables;
		await node(0)
			.db.update(webhookDelivery)
			.set({ claimedBy: 'crashed', claimedUntil: 2_000 + CLAIM_MS })
			.where(eq(webhookDelivery.id, id));
		const r = receiver(200);
		expect(await deliverDueWebhooks(node(1), { clock: () => 3_000, send: r.send })).toBe(0);
		expect(await deliverDueWebhooks(node(1), { clock: () => 3_000 + CLAIM_MS, send: r.send })).toBe(
			1
		);
		expect(await deliveryOf(node(0), id)).toMatchObject({
			status: 'delivered',
			claimedBy: null,
			claimedUntil: null
		});
	});

	it('a disabled webhook takes no test and no redelivery, and nothing is written', async () => {
		const made = await createWebhook(node(0), input(), ADMIN, 1_000);
		await queueTestEvent(node(0), made.id, ADMIN, 2_000);
		const [{ id }] = (await listDeliveries(node(0))).filter((d) => d.webhookId === made.id);
		expect((await setWebhookActive(node(1), made.id, false, ADMIN, 3_000)).active).toBe(false);
		expect((await listWebhooks(node(0))).find((w) => w.id === made.id)?.active).toBe(false);
		const before = await auditsOf(node(0), `webhook:${made.id}`);
		expect(await appErrorCode(() => queueTestEvent(node(0), made.id, ADMIN, 4_000))).toBe(
			'webhook_disabled'
		);
		expect(await appErrorCode(() => redeliver(node(1), id, ADMIN, 4_000))).toBe('webhook_disabled');
		expect(await auditsOf(node(1), `webhook:${made.id}`)).toEqual(before);
		expect((await listDeliveries(node(1))).filter((d) => d.webhookId === made.id)).toHaveLength(1);
		expect(before.map((a) => a.action)).toEqual([
			'webhook.create',
			'webhook.test',
			'webhook.disable'
		]);
	});

	it('a webhook deleted on one node is gone with its log on both; a test sent to it at once from the other is refused or removed with it', async () => {
		const made = await createWebhook(node(0), input(), ADMIN, 1_000);
		await queueTestEvent(node(0), made.id, ADMIN, 2_000);
		await deliverDueWebhooks(node(0), { clock: () => 2_000, send: receiver(500).send });
		const [{ id }] = (await listDeliveries(node(0))).filter((d) => d.webhookId === made.id);
		const [removed, tested] = await Promise.all([
			deleteWebhook(node(0), made.id, ADMIN, 3_000),
			appErrorCode(() => queueTestEvent(node(1), made.id, ADMIN, 3_000))
		]);
		expect(removed.url).toBe(made.url);
		expect(['ok', 'webhook_gone']).toContain(tested);
		expect((await listWebhooks(node(1))).some((w) => w.id === made.id)).toBe(false);
		expect((await listDeliveries(node(1))).some((d) => d.webhookId === made.id)).toBe(false);
		const { webhookAttempt } = node(1).tables;
		expect(
			await node(1)
				.db.select()
				.from(webhookAttempt)
				.where(inArray(webhookAttempt.deliveryId, [id]))
		).toEqual([]);
		// Gone: every change to it is refused, and nothing is audited for it.
		expect(await appErrorCode(() => deleteWebhook(node(1), made.id, ADMIN, 4_000))).toBe(
			'webhook_gone'
		);
		expect(await appErrorCode(() => setWebhookActive(node(0), made.id, true, ADMIN, 4_000))).toBe(
			'webhook_gone'
		);
		expect(await appErrorCode(() => redeliver(node(0), id, ADMIN, 4_000))).toBe('delivery_gone');
		// The test taken before the delete is audited before it; a refused one is not.
		const tests = tested === 'ok' ? ['webhook.test', 'webhook.test'] : ['webhook.test'];
		expect((await auditsOf(node(0), `webhook:${made.id}`)).map((a) => a.action)).toEqual([
			'webhook.create',
			...tests,
			'webhook.delete'
		]);
	});
});
