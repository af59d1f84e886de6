import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createServer, type Server } from 'node:http';
import { eq } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest } from '../helpers/factories';
import { Webhook } from 'standardwebhooks';
import {
	badge,
	season,
	webhook,
	webhookAttempt,
	webhookDelivery
} from '../../src/lib/server/db/schema';
import { recordOn } from '../helpers/record-sale';
import { runScheduler } from '../../src/lib/server/seasons/scheduler';
import {
	deliverDueWebhooks,
	MAX_ATTEMPTS,
	newWebhookSecret
} from '../../src/lib/server/webhooks/delivery';
import { reviewByExternalId } from '../../src/lib/server/scoring/review';
import { sqliteStore } from '../../src/lib/server/db/store';

interface Received {
	headers: Record<string, string | string[] | undefined>;
	body: string;
	/** What the receiver's own `Webhook.verify` said (the secret of the first webhook). */
	verified?: unknown;
}

let ctx: ReturnType<typeof tempDb>;
let receiver: Server;
let url: string;
let received: Received[];
let answers: number[];
/** The secret the receiver verifies with, as a Standard Webhooks receiver is configured. */
let receiverSecret: string | undefined;

beforeEach(async () => {
	// The receiver runs on 127.0.0.1: the opt-in that tests and development use (see target.ts).
	vi.stubEnv('WEBHOOKS_ALLOW_PRIVATE', 'true');
	ctx = tempDb();
	received = [];
	answers = [];
	receiverSecret = undefined;
	receiver = createServer((req, res) => {
		let body = '';
		req.on('data', (c) => (body += c));
		req.on('end', () => {
			let verified: unknown = null;
			if (receiverSecret) {
				try {
					verified = new Webhook(receiverSecret).verify(
						body,
						req.headers as Record<string, string>
					);
				} catch (error) {
					verified = error;
				}
			}
			received.push({ headers: req.headers, body, verified });
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
	it('signs each delivery the Standard Webhooks way, retries with the same webhook-id and logs every attempt', async () => {
		const { db } = ctx;
		const { people } = await makeContest(db);
		const secret = newWebhookSecret();
		expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
		receiverSecret = secret;
		db.insert(webhook)
			.values({ url, secret, events: ['sale.confirmed'] })
			.run();
		let now = Date.now();
		const clock = () => now;

		await recordOn(
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
		expect(await deliverDueWebhooks(sqliteStore(db), { clock })).toBe(1);
		expect(db.select().from(webhookDelivery).get()).toMatchObject({
			status: 'pending',
			attempts: 1,
			lastStatus: 500
		});
		expect(await deliverDueWebhooks(sqliteStore(db), { clock })).toBe(0); // not due again yet
		// The backoff has jitter (0.75 to 1.25 times 1 s, then 5 s): wait out its longest.
		now += 1250;
		await deliverDueWebhooks(sqliteStore(db), { clock });
		now += 6250;
		await deliverDueWebhooks(sqliteStore(db), { clock });
		expect(db.select().from(webhookDelivery).get()).toMatchObject({
			status: 'delivered',
			attempts: 3,
			lastStatus: 200
		});
		expect(received).toHaveLength(3);

		// The receiver's own Webhook.verify accepted every attempt; each carries the same id.
		for (const r of received) expect(r.verified).toEqual(JSON.parse(r.body));
		const ids = received.map((r) => r.headers['webhook-id']);
		expect(new Set(ids).size).toBe(1);
		expect(ids[0]).toMatch(/^msg_/);
		expect(received[0].body).toBe(received[2].body);
		expect(received[2].headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
		expect(received[2].headers['x-honorboard-signature']).toBeUndefined();
		// A tampered body or another secret fails the same check.
		const headers = received[2].headers as Record<string, string>;
		expect(() =>
			new Webhook(secret).verify(received[2].body.replace('w1', 'w2'), headers)
		).toThrow();
		expect(() => new Webhook(newWebhookSecret()).verify(received[2].body, headers)).toThrow();

		expect(JSON.parse(received[2].body)).toEqual({
			type: 'sale.confirmed',
			timestamp: new Date(now - 7500).toISOString(),
			data: {
				seasonId: expect.any(Number),
				sale: {
					id: expect.any(Number),
					externalId: 'w1',
					source: 'api',
					points: 50,
					seller: { id: people[0].id, email: people[0].email, name: people[0].displayName }
				},
				reason: null
			}
		});

		const attempts = db.select().from(webhookAttempt).orderBy(webhookAttempt.id).all();
		expect(attempts.map((a) => [a.httpStatus, a.ok])).toEqual([
			[500, false],
			[503, false],
			[200, true]
		]);
		expect(attempts[0].error).toBe('HTTP 500');
		expect(attempts[2].error).toBeNull();
		for (const a of attempts) expect(a.durationMs).toBeGreaterThanOrEqual(0);
	});

	it('keeps verifying with a secret made before Standard Webhooks (whsec_ + hex)', async () => {
		const { db } = ctx;
		const { people } = await makeContest(db);
		const legacy = `whsec_${'0123456789abcdef'.repeat(3)}`;
		receiverSecret = legacy;
		db.insert(webhook)
			.values({ url, secret: legacy, events: ['sale.confirmed'] })
			.run();
		await recordOn(db, {
			source: 'api',
			externalId: 'old-secret',
			seller: { userId: people[0].id },
			occurredAt: Date.now() - 1000,
			lines: [{ sku: 'PHONE', quantity: 1 }]
		});
		await deliverDueWebhooks(sqliteStore(db));
		expect(received).toHaveLength(1);
		expect(received[0].verified).toMatchObject({ type: 'sale.confirmed' });
	});

	it('sends sale.confirmed in one shape whether the sale counted at once or a manager confirmed it', async () => {
		const { db } = ctx;
		const { season: s, people } = await makeContest(db);
		db.insert(webhook)
			.values({ url, secret: newWebhookSecret(), events: ['sale.confirmed'] })
			.run();
		const now = Date.now();
		await recordOn(db, {
			source: 'api',
			externalId: 'direct',
			seller: { userId: people[0].id },
			occurredAt: now - 1000,
			lines: [{ sku: 'PHONE', quantity: 1 }]
		});
		db.update(season).set({ requireConfirmation: true }).where(eq(season.id, s.id)).run();
		const pending = await recordOn(db, {
			source: 'api',
			externalId: 'reviewed',
			seller: { userId: people[1].id },
			occurredAt: now - 1000,
			lines: [{ sku: 'PHONE', quantity: 1 }]
		});
		expect(pending.sale.status).toBe('pending');
		await reviewByExternalId(sqliteStore(db), 'reviewed', {
			decision: 'confirm',
			actor: { userId: people[2].id },
			reason: 'Invoice paid'
		});
		await deliverDueWebhooks(sqliteStore(db));
		const bodies = received.map((r) => JSON.parse(r.body));
		expect(bodies.map((b) => b.data.sale.externalId).sort()).toEqual(['direct', 'reviewed']);
		const shape = (value: unknown): unknown =>
			value && typeof value === 'object' && !Array.isArray(value)
				? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]))
				: true;
		expect(shape(bodies[0])).toEqual(shape(bodies[1]));
		const reviewed = bodies.find((b) => b.data.sale.externalId === 'reviewed');
		expect(reviewed.data).toMatchObject({
			reason: 'Invoice paid',
			sale: { seller: { id: people[1].id, email: people[1].email } }
		});
		expect(reviewed.data.sale).not.toHaveProperty('sellerId');
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
		await recordOn(db, {
			source: 'api',
			externalId: 'w1',
			seller: { userId: people[0].id },
			occurredAt: now - 1000,
			lines: [{ sku: 'CASE', quantity: 1 }]
		});
		for (let i = 0; i < MAX_ATTEMPTS + 2; i++) {
			await deliverDueWebhooks(sqliteStore(db), { clock: () => now });
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
		await recordOn(db, {
			source: 'api',
			externalId: 'b1',
			seller: { userId: people[1].id },
			occurredAt: now - 1000,
			lines: [{ sku: 'PHONE', quantity: 1 }]
		});
		await recordOn(db, {
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
		await runScheduler(sqliteStore(db), { clock: () => now });
		await runScheduler(sqliteStore(db), { clock: () => now + 1000 });
		await deliverDueWebhooks(sqliteStore(db), { clock: () => now + 5000 });
		const events = received.map((r) => JSON.parse(r.body));
		expect(events.map((e) => e.type).sort()).toEqual([
			'badge.awarded',
			'badge.awarded',
			'badge.awarded',
			'badge.awarded',
			'season.ended'
		]);
		expect(
			events
				.filter((e) => e.type === 'badge.awarded')
				.map((e) => e.data.badge.name)
				.sort()
		).toEqual(['Best team', 'First sale', 'Season champion', 'Season podium']);
		expect(events.find((e) => e.type === 'season.ended').data.podium[0]).toMatchObject({
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
			// The sale's clock is the delivery's: a busy machine's later Date.now() is not "due" yet.
			await recordOn(
				db,
				{
					source: 'api',
					externalId: 'p1',
					seller: { userId: people[0].id },
					occurredAt: now - 1000,
					lines: [{ sku: 'PHONE', quantity: 1 }]
				},
				() => now
			);
			vi.stubEnv('WEBHOOKS_ALLOW_PRIVATE', '');
			expect(await deliverDueWebhooks(sqliteStore(db), { clock: () => now })).toBe(2);
			expect(received).toEqual([]);
			const row = (id: number) =>
				db.select().from(webhookDelivery).where(eq(webhookDelivery.webhookId, id)).get()!;
			expect(row(local.id)).toMatchObject({ status: 'pending', attempts: 1 });
			expect(row(local.id).lastError).toMatch(/127\.0\.0\.1 is a private or internal address/);

			// With the opt-in (tests only), the redirect answer is a failure: its target gets nothing.
			vi.stubEnv('WEBHOOKS_ALLOW_PRIVATE', 'true');
			await deliverDueWebhooks(sqliteStore(db), { clock: () => now + 60_000 });
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
