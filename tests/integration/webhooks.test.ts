import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createServer, type Server } from 'node:http';
import { eq } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest } from '../helpers/factories';
import { badge, season, webhook, webhookDelivery } from '../../src/lib/server/db/schema';
import { recordSale } from '../../src/lib/server/scoring/sales';
import { runScheduler } from '../../src/lib/server/seasons/scheduler';
import {
	deliverDueWebhooks,
	MAX_ATTEMPTS,
	newWebhookSecret,
	verifySignature
} from '../../src/lib/server/webhooks/delivery';

interface Received {
	headers: Record<string, string | string[] | undefined>;
	body: string;
}

let ctx: ReturnType<typeof tempDb>;
let receiver: Server;
let url: string;
let received: Received[];
let answers: number[];

beforeEach(async () => {
	// The receiver runs on 127.0.0.1: the opt-in that tests and development use (see target.ts).
	vi.stubEnv('HONORBOARD_WEBHOOKS_ALLOW_PRIVATE', '1');
	ctx = tempDb();
	received = [];
	answers = [];
	receiver = createServer((req, res) => {
		let body = '';
		req.on('data', (c) => (body += c));
		req.on('end', () => {
			received.push({ headers: req.headers, body });
			res.writeHead(answers.shift() ?? 200).end();
		});
	});
	await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
	url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hooks`;
});
afterEach(async () => {
	vi.unstubAllEnvs();
	await new Promise((done) => receiver.close(done));
	ctx.cleanup();
});

describe('outgoing webhooks', () => {
	it('signs each delivery, retries failures with backoff and logs every attempt', async () => {
		const { db } = ctx;
		const { people } = await makeContest(db);
		const secret = newWebhookSecret();
		db.insert(webhook)
			.values({ url, secret, events: ['sale.confirmed'] })
			.run();
		let now = Date.now();
		const clock = () => now;

		recordSale(
			db,
			{
				source: 'api',
				externalId: 'w1',
				seller: { userId: people[0].id },
				occurredAt: now - 1000,
				lines: [{ sku: 'PHONE', quantity: 1 }]
			},
			clock
		);
		answers.push(500, 503);
		expect(await deliverDueWebhooks(db, { clock })).toBe(1);
		expect(db.select().from(webhookDelivery).get()).toMatchObject({
			status: 'pending',
			attempts: 1,
			lastStatus: 500
		});
		expect(await deliverDueWebhooks(db, { clock })).toBe(0); // not due again yet
		now += 1000;
		await deliverDueWebhooks(db, { clock });
		now += 5000;
		await deliverDueWebhooks(db, { clock });
		expect(db.select().from(webhookDelivery).get()).toMatchObject({
			status: 'delivered',
			attempts: 3,
			lastStatus: 200
		});
		expect(received).toHaveLength(3);

		const last = received[2];
		expect(last.headers['x-honorboard-event']).toBe('sale.confirmed');
		const signature = String(last.headers['x-honorboard-signature']);
		expect(verifySignature(secret, signature, last.body, now)).toBe(true);
		expect(verifySignature(secret, signature, last.body.replace('w1', 'w2'), now)).toBe(false);
		expect(verifySignature('whsec_other', signature, last.body, now)).toBe(false);
		expect(verifySignature(secret, signature, last.body, now + 60 * 60_000)).toBe(false); // replayed an hour later
		expect(JSON.parse(last.body)).toMatchObject({
			event: 'sale.confirmed',
			data: { sale: { externalId: 'w1', points: 50 } }
		});
	});

	it('gives up after the last attempt and keeps the log', async () => {
		const { db } = ctx;
		const { people } = await makeContest(db);
		db.insert(webhook)
			.values({
				url: 'http://127.0.0.1:9/nobody-listens',
				secret: newWebhookSecret(),
				events: ['sale.confirmed']
			})
			.run();
		let now = Date.now();
		recordSale(db, {
			source: 'api',
			externalId: 'w1',
			seller: { userId: people[0].id },
			occurredAt: now - 1000,
			lines: [{ sku: 'CASE', quantity: 1 }]
		});
		for (let i = 0; i < MAX_ATTEMPTS + 2; i++) {
			await deliverDueWebhooks(db, { clock: () => now });
			now += 60 * 60_000;
		}
		expect(db.select().from(webhookDelivery).get()).toMatchObject({
			status: 'failed',
			attempts: MAX_ATTEMPTS
		});
		expect(db.select().from(webhookDelivery).get()!.lastError).toBeTruthy();
	});

	it('sends badge.awarded and season.ended only to the webhooks that want them, once', async () => {
		const { db } = ctx;
		const { season: s, people } = await makeContest(db);
		db.insert(badge)
			.values({ seasonId: s.id, name: 'First sale', criterion: { kind: 'first_sale' } })
			.run();
		db.insert(webhook)
			.values([
				{ url, secret: newWebhookSecret(), events: ['badge.awarded', 'season.ended'] },
				{ url, secret: newWebhookSecret(), events: ['sale.confirmed'], active: false }
			])
			.run();
		const now = Date.now();
		recordSale(db, {
			source: 'api',
			externalId: 'b1',
			seller: { userId: people[1].id },
			occurredAt: now - 1000,
			lines: [{ sku: 'PHONE', quantity: 1 }]
		});
		recordSale(db, {
			source: 'api',
			externalId: 'b1',
			seller: { userId: people[1].id },
			occurredAt: now - 1000,
			lines: [{ sku: 'PHONE', quantity: 1 }]
		});
		db.update(season)
			.set({ endsAt: now - 10 })
			.where(eq(season.id, s.id))
			.run();
		runScheduler(db, { clock: () => now });
		runScheduler(db, { clock: () => now + 1000 });
		await deliverDueWebhooks(db, { clock: () => now + 5000 });
		const events = received.map((r) => JSON.parse(r.body));
		expect(events.map((e) => e.event).sort()).toEqual([
			'badge.awarded',
			'badge.awarded',
			'badge.awarded',
			'badge.awarded',
			'season.ended'
		]);
		expect(
			events
				.filter((e) => e.event === 'badge.awarded')
				.map((e) => e.data.badge.name)
				.sort()
		).toEqual(['Best team', 'First sale', 'Season champion', 'Season podium']);
		expect(events.find((e) => e.event === 'season.ended').data.podium[0]).toMatchObject({
			rank: 1,
			points: 50
		});
	});

	it('refuses a private receiver at delivery without the opt-in, and does not follow redirects', async () => {
		const { db } = ctx;
		const { people } = await makeContest(db);
		const redirecting = createServer((req, res) => {
			received.push({ headers: req.headers, body: '' });
			res.writeHead(301, { location: url }).end();
		});
		await new Promise<void>((done) => redirecting.listen(0, '127.0.0.1', done));
		const redirectUrl = `http://127.0.0.1:${(redirecting.address() as { port: number }).port}/old`;
		try {
			const [local, moved] = db
				.insert(webhook)
				.values([
					{ url, secret: newWebhookSecret(), events: ['sale.confirmed'] },
					{ url: redirectUrl, secret: newWebhookSecret(), events: ['sale.confirmed'] }
				])
				.returning({ id: webhook.id })
				.all();
			const now = Date.now();
			recordSale(db, {
				source: 'api',
				externalId: 'p1',
				seller: { userId: people[0].id },
				occurredAt: now - 1000,
				lines: [{ sku: 'PHONE', quantity: 1 }]
			});
			vi.stubEnv('HONORBOARD_WEBHOOKS_ALLOW_PRIVATE', '');
			expect(await deliverDueWebhooks(db, { clock: () => now })).toBe(2);
			expect(received).toEqual([]);
			const row = (id: number) =>
				db.select().from(webhookDelivery).where(eq(webhookDelivery.webhookId, id)).get()!;
			expect(row(local.id)).toMatchObject({ status: 'pending', attempts: 1 });
			expect(row(local.id).lastError).toMatch(/127\.0\.0\.1 is a private or internal address/);

			// With the opt-in (tests only), the redirect answer is a failure: its target gets nothing.
			vi.stubEnv('HONORBOARD_WEBHOOKS_ALLOW_PRIVATE', '1');
			await deliverDueWebhooks(db, { clock: () => now + 60_000 });
			expect(row(local.id)).toMatchObject({ status: 'delivered', attempts: 2 });
			expect(row(moved.id)).toMatchObject({ status: 'pending', attempts: 2, lastStatus: 301 });
			expect(row(moved.id).lastError).toMatch(/redirect .* not followed/);
			// One POST to the receiver (the direct one), one to the redirecting server, none followed.
			expect(received).toHaveLength(2);
			expect(received.filter((r) => r.body !== '')).toHaveLength(1);
		} finally {
			await new Promise((done) => redirecting.close(done));
		}
	});
});
