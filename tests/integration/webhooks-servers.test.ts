// Webhooks with the production build: two server processes on one database deliver each event
// once; the console refuses a private receiver URL.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';
import * as devalue from 'devalue';
import { startServer, type RunningServer } from '../helpers/server';
import { postSale } from '../helpers/sales';
import {
	apiTokenFor,
	PASSWORD,
	readDb,
	seedServerDb,
	signIn,
	waitFor,
	withDb,
	type SeededDb
} from '../helpers/seeded';
import { makeUser } from '../helpers/factories';
import { webhook } from '../../src/lib/server/db/schema';
import { openDatabase } from '../../src/lib/server/db';
import { newWebhookSecret } from '../../src/lib/server/webhooks/delivery';
import { operations } from '../../src/lib/server/api/operations';
import { operationId } from '../../src/lib/server/api/openapi';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function seeded(): Promise<SeededDb> {
	const db = await seedServerDb({ teams: 2, people: 4 });
	cleanups.push(() => db.cleanup());
	return db;
}

async function server(dbPath: string, env: Record<string, string> = {}): Promise<RunningServer> {
	const running = await startServer({ dbPath, env });
	cleanups.push(() => running.dispose());
	return running;
}

describe('two server processes on one database', () => {
	it('deliver each webhook event exactly once', async () => {
		const db = await seeded();
		// A receiver that answers slowly, so that deliveries are in flight while the other
		// process looks for due ones.
		const counts = new Map<string, number>();
		const receiver: Server = createServer((req, res) => {
			const id = String(req.headers['webhook-id']);
			counts.set(id, (counts.get(id) ?? 0) + 1);
			req.resume();
			req.on('end', () => setTimeout(() => res.writeHead(200).end(), 700));
		});
		await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
		cleanups.push(() => new Promise((done) => receiver.close(done)));
		const port = (receiver.address() as { port: number }).port;
		withDb(db.path, (d) =>
			d
				.insert(webhook)
				.values({
					url: `http://127.0.0.1:${port}/hooks`,
					secret: newWebhookSecret(),
					events: ['sale.confirmed']
				})
				.run()
		);
		const token = apiTokenFor(db.path);
		// startServer opts in to private receivers (WEBHOOKS_ALLOW_PRIVATE=true).
		const servers = [await server(db.path), await server(db.path)];

		const SALES = 8;
		const responses = await Promise.all(
			Array.from({ length: SALES }, (_, i) =>
				postSale(servers[i % 2].url, token, {
					externalId: `twice-${i}`,
					seller: db.people[i % db.people.length].email
				})
			)
		);
		expect(responses.map((r) => r.status)).toEqual(Array(SALES).fill(201));

		const delivered = () =>
			readDb(db.path, (r) =>
				r.prepare(`select count(*) from webhook_delivery where status = 'delivered'`).pluck().get()
			) as number;
		await waitFor(() => delivered() === SALES, 25_000, 'every delivery');
		// Both processes poll every 2 s: give a duplicate the time to arrive if there were one.
		await new Promise((r) => setTimeout(r, 3_000));
		expect(counts.size).toBe(SALES);
		expect([...counts.values()]).toEqual(Array(SALES).fill(1));
		const rows = readDb(db.path, (r) =>
			r.prepare('select attempts, claimed_by from webhook_delivery').all()
		) as { attempts: number; claimed_by: string | null }[];
		expect(rows).toEqual(Array(SALES).fill({ attempts: 1, claimed_by: null }));
	}, 60_000);
});

describe('the webhooks console', () => {
	it('refuses a private receiver URL with a clear field error and saves nothing', async () => {
		const db = await seeded();
		const d = openDatabase(db.path);
		try {
			await makeUser(d, { email: 'admin@test.test', role: 'admin', password: PASSWORD });
		} finally {
			d.$client.close();
		}
		// No opt-in here: this server refuses private targets as production does.
		const running = await server(db.path, { WEBHOOKS_ALLOW_PRIVATE: '' });
		const session = await signIn(running.url, 'admin@test.test');
		for (const url of [
			'http://127.0.0.1:8080/hook',
			'http://localhost/hook',
			'http://169.254.169.254/latest/meta-data/',
			'http://[::ffff:10.0.0.1]/hook'
		]) {
			const response = await fetch(`${running.url}/manage/webhooks?/create`, {
				method: 'POST',
				body: new URLSearchParams([
					['url', url],
					['events', 'sale.confirmed']
				]),
				headers: {
					origin: running.url,
					cookie: `session=${session}`,
					'content-type': 'application/x-www-form-urlencoded',
					'x-sveltekit-action': 'true'
				}
			});
			const result = (await response.json()) as { type: string; status: number; data: string };
			expect(result.type).toBe('failure');
			expect(result.status).toBe(400);
			expect(result.data).toMatch(/private or internal address/);
		}
		expect(readDb(db.path, (r) => r.prepare('select count(*) from webhook').pluck().get())).toBe(0);
	});
});

describe('Redeliver on the webhooks console', () => {
	it('is for admins only; it sends the same delivery again with the same webhook-id and logs the attempt', async () => {
		const db = await seeded();
		const d = openDatabase(db.path);
		try {
			await makeUser(d, { email: 'admin@test.test', role: 'admin', password: PASSWORD });
			await makeUser(d, { email: 'manager@test.test', role: 'manager', password: PASSWORD });
		} finally {
			d.$client.close();
		}
		const received: { id: string; body: string; verified: unknown }[] = [];
		const secret = newWebhookSecret();
		const receiver: Server = createServer((req, res) => {
			let body = '';
			req.on('data', (c) => (body += c));
			req.on('end', () => {
				let verified: unknown;
				try {
					verified = new Webhook(secret).verify(body, req.headers as Record<string, string>);
				} catch (error) {
					verified = String(error);
				}
				received.push({ id: String(req.headers['webhook-id']), body, verified });
				res.writeHead(204).end();
			});
		});
		await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
		cleanups.push(() => new Promise((done) => receiver.close(done)));
		const port = (receiver.address() as { port: number }).port;
		withDb(db.path, (w) =>
			w
				.insert(webhook)
				.values({ url: `http://127.0.0.1:${port}/hooks`, secret, events: ['sale.confirmed'] })
				.run()
		);
		const running = await server(db.path);
		const token = apiTokenFor(db.path);
		const sale = await postSale(running.url, token, {
			externalId: 'redeliver-1',
			seller: db.people[0].email
		});
		expect(sale.status).toBe(201);
		await waitFor(() => received.length === 1, 15_000, 'the first delivery');
		const delivery = () =>
			readDb(db.path, (r) =>
				r.prepare('select id, status, message_id as messageId from webhook_delivery').get()
			) as { id: number; status: string; messageId: string };
		await waitFor(() => delivery().status === 'delivered', 5_000, 'delivered');
		const attempts = () =>
			readDb(db.path, (r) => r.prepare('select count(*) from webhook_attempt').pluck().get());
		expect(attempts()).toBe(1);

		const admin = await signIn(running.url, 'admin@test.test');
		const manager = await signIn(running.url, 'manager@test.test');
		const page = async (session: string) =>
			fetch(`${running.url}/manage/webhooks`, { headers: { cookie: `session=${session}` } });
		expect((await page(manager)).status).toBe(403);
		const html = await (await page(admin)).text();
		expect(html).toMatch(/Redeliver/);
		expect(html).toContain(delivery().messageId);

		const redeliver = async (session: string) => {
			const response = await fetch(`${running.url}/manage/webhooks?/redeliver`, {
				method: 'POST',
				body: new URLSearchParams({ id: String(delivery().id) }),
				headers: {
					origin: running.url,
					cookie: `session=${session}`,
					'content-type': 'application/x-www-form-urlencoded',
					'x-sveltekit-action': 'true'
				}
			});
			const result = await response.json();
			return {
				status: response.status,
				...result,
				data: typeof result.data === 'string' ? devalue.parse(result.data) : result.data
			} as { type: string; status: number; data?: { message?: string } };
		};
		// A manager is refused, and nothing is sent again.
		expect(await redeliver(manager)).toMatchObject({ type: 'error', status: 403 });
		expect(delivery().status).toBe('delivered');

		expect(await redeliver(admin)).toMatchObject({
			type: 'success',
			data: { message: expect.stringMatching(/same webhook-id/) }
		});
		await waitFor(() => received.length === 2, 15_000, 'the redelivery');
		expect(received[1].id).toBe(received[0].id);
		expect(received[1].body).toBe(received[0].body);
		expect(received[1].verified).toMatchObject({ type: 'sale.confirmed' });
		await waitFor(() => attempts() === 2, 5_000, 'the second attempt logged');
		const audit = readDb(db.path, (r) =>
			r.prepare("select action from audit_event where action like 'webhook.%'").pluck().all()
		);
		expect(audit).toEqual(['webhook.redeliver']);
	}, 60_000);
});

describe('the API reference page', () => {
	it('lists every operation for admins, and is refused to others', async () => {
		const db = await seeded();
		const d = openDatabase(db.path);
		try {
			await makeUser(d, { email: 'admin@test.test', role: 'admin', password: PASSWORD });
			await makeUser(d, { email: 'manager@test.test', role: 'manager', password: PASSWORD });
		} finally {
			d.$client.close();
		}
		const running = await server(db.path);
		const get = async (email: string) =>
			fetch(`${running.url}/manage/api`, {
				headers: { cookie: `session=${await signIn(running.url, email)}` }
			});
		expect((await get('manager@test.test')).status).toBe(403);
		const html = await (await get('admin@test.test')).text();
		for (const op of operations) {
			expect(html, `${op.method} ${op.path}`).toContain(`id="${operationId(op)}"`);
			expect(html).toContain(`/api/v1${op.path}</code>`);
		}
		// Parameters, body fields and answers are shown.
		expect(html).toContain('lines[].sku');
		expect(html).toContain('scope');
		expect(html).toContain('missing_columns');
	}, 60_000);
});
