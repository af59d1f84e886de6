// What a self-hoster's tooling talks to (issue #16), against the production build: health and
// readiness probes, Prometheus metrics behind an API token, JSON logs with request ids, response
// compression and the cache policy of immutable assets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { startServer, type RunningServer } from '../helpers/server';
import { postSale } from '../helpers/sales';
import {
	connect,
	PASSWORD,
	seedServerDb,
	signIn,
	socketFor,
	waitFor,
	type ClientSocket,
	type SeededDb,
	withStore
} from '../helpers/seeded';
import { createApiToken } from '../../src/lib/server/auth/api-token';
import type { TokenRole } from '../../src/lib/server/auth/token-roles';

let seeded: SeededDb;
let server: RunningServer;
const tokens = {} as Record<TokenRole, string>;
let counter = 0;

beforeAll(async () => {
	seeded = await seedServerDb({ teams: 3, people: 12 });
	await withStore(seeded.path, async (store) => {
		for (const role of ['admin', 'manager', 'integration'] as const)
			tokens[role] = (await createApiToken(store, { name: `ops-${role}`, role })).token;
	});
	server = await startServer({ dbPath: seeded.path });
});

afterAll(async () => {
	await server?.dispose();
	seeded?.cleanup();
});

/** One GET with node:http (fetch would decode the body and hide Content-Encoding). */
function get(
	path: string,
	headers: Record<string, string> = {},
	base = server.url
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
	return new Promise((done, fail) => {
		http
			.get(`${base}${path}`, { headers, agent: false }, (res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c) => chunks.push(c));
				res.on('end', () =>
					done({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) })
				);
			})
			.on('error', fail);
	});
}

function decoded(response: { headers: http.IncomingHttpHeaders; body: Buffer }): string {
	const encoding = response.headers['content-encoding'];
	if (encoding === 'br') return brotliDecompressSync(response.body).toString();
	if (encoding === 'gzip') return gunzipSync(response.body).toString();
	return response.body.toString();
}

async function metricsText(): Promise<string> {
	const response = await fetch(`${server.url}/metrics`, {
		headers: { authorization: `Bearer ${tokens.admin}` }
	});
	expect(response.status).toBe(200);
	return response.text();
}

/** A sample's value from Prometheus text, 0 when the series is absent. */
function sample(text: string, series: string): number {
	const line = text.split('\n').find((l) => l.startsWith(`${series} `));
	return line ? Number(line.slice(series.length + 1)) : 0;
}

/** The server's log so far, one parsed object per line. */
function logLines(from = 0): Record<string, unknown>[] {
	return server
		.output()
		.slice(from)
		.split('\n')
		.filter((line) => line.trim())
		.map((line) => {
			try {
				return JSON.parse(line) as Record<string, unknown>;
			} catch {
				throw new Error(`not a JSON log line: ${line}`);
			}
		});
}

describe('GET /healthz and /readyz', () => {
	it('/healthz answers 200 with a small JSON body, without a session', async () => {
		const response = await fetch(`${server.url}/healthz`);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toMatch(/application\/json/);
		expect(await response.json()).toEqual({ status: 'ok', uptimeSeconds: expect.any(Number) });
	});

	it('/readyz answers 200 when the database answers and its migrations are applied', async () => {
		const response = await fetch(`${server.url}/readyz`);
		expect(response.status).toBe(200);
		expect(await response.json()).toEqual({
			status: 'ready',
			ready: true,
			checks: { database: 'ok', migrations: 'ok' },
			shuttingDown: false
		});
	});

	it('answer GET only', async () => {
		const response = await fetch(`${server.url}/healthz`, { method: 'POST' });
		expect(response.status).toBe(405);
		expect(response.headers.get('allow')).toBe('GET, HEAD');
	});
});

describe('GET /metrics', () => {
	it('refuses a request without a valid token (401) and a token below admin (403)', async () => {
		const none = await fetch(`${server.url}/metrics`);
		expect(none.status).toBe(401);
		expect((await none.json()).error.code).toBe('unauthorized');
		const wrong = await fetch(`${server.url}/metrics`, {
			headers: { authorization: 'Bearer hb_not-a-token' }
		});
		expect(wrong.status).toBe(401);
		for (const role of ['integration', 'manager'] as const) {
			const refused = await fetch(`${server.url}/metrics`, {
				headers: { authorization: `Bearer ${tokens[role]}` }
			});
			expect(refused.status, role).toBe(403);
			expect((await refused.json()).error.code).toBe('forbidden');
		}
	});

	it('answers Prometheus text with the default and the named metrics', async () => {
		const response = await fetch(`${server.url}/metrics`, {
			headers: { authorization: `Bearer ${tokens.admin}` }
		});
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
		const text = await response.text();
		for (const name of [
			'process_cpu_seconds_total',
			'nodejs_eventloop_lag_seconds',
			'honorboard_sales_recorded_total',
			'honorboard_socket_connections',
			'honorboard_push_duration_seconds',
			'honorboard_http_request_duration_seconds',
			'honorboard_import_rows_total',
			'honorboard_webhook_deliveries_total',
			'honorboard_scheduler_transitions_total',
			'honorboard_heavy_read_duration_seconds'
		])
			expect(text, name).toContain(`# TYPE ${name} `);
	});

	it('counts a sale, the sockets, the push it causes and the request by its route template', async () => {
		const session = await signIn(server.url, seeded.people[0].email, PASSWORD);
		const socket: ClientSocket = socketFor(server.url, session);
		try {
			await connect(socket);
			const ack = await socket.timeout(5_000).emitWithAck('watch', { seasonId: seeded.seasonId });
			expect(ack).not.toHaveProperty('error');
			const before = await metricsText();
			expect(sample(before, 'honorboard_socket_connections')).toBe(1);

			const pushes: number[] = [];
			socket.on('leaderboard', (snapshot) => pushes.push(snapshot.version));
			const answer = await postSale<{ version: number }>(server.url, tokens.integration, {
				externalId: `ops-${++counter}`,
				seller: seeded.people[0].email
			});
			expect(answer.status).toBe(201);
			const sale = answer.body;
			await waitFor(() => pushes.some((v) => v >= sale.version), 5_000, 'the push');
			const after = await metricsText();

			const sales = 'honorboard_sales_recorded_total{channel="single"}';
			expect(sample(after, sales)).toBe(sample(before, sales) + 1);
			const pushCount = 'honorboard_push_duration_seconds_count';
			expect(sample(after, pushCount)).toBeGreaterThan(sample(before, pushCount));
			// The route template, never the raw URL.
			const posts =
				'honorboard_http_request_duration_seconds_count{route="/api/v1/sales",method="POST",status="201"}';
			expect(sample(after, posts)).toBe(sample(before, posts) + 1);
			expect(after).not.toMatch(/route="\/api\/v1\/seasons\/\d+/);

			// The push's contest format views were read in the read thread (their first build
			// there: cheap ones are built inline after, realtime/publish.ts), not on the event
			// loop (reads/thread.ts).
			const views = (where: string) =>
				`honorboard_heavy_read_duration_seconds_count{kind="views",where="${where}"}`;
			// And the default dashboard was computed there as soon as the server listened, before
			// anyone asked for it.
			const dashboards =
				'honorboard_heavy_read_duration_seconds_count{kind="dashboard",where="thread"}';
			let latest = after;
			const deadline = Date.now() + 5_000;
			while (
				sample(latest, views('thread')) <= sample(before, views('thread')) ||
				sample(latest, dashboards) < 1
			) {
				if (Date.now() > deadline)
					throw new Error('no format views or no dashboard read in the read thread');
				await new Promise((r) => setTimeout(r, 50));
				latest = await metricsText();
			}
		} finally {
			socket.disconnect();
		}
	});

	it('counts the rows of an import', async () => {
		const before = await metricsText();
		const csv = [
			'externalId,sellerEmail,occurredAt,sku,quantity,unitPrice',
			`imp-${++counter},${seeded.people[1].email},${new Date(Date.now() - 60_000).toISOString()},PHONE,1,10`,
			`imp-${++counter},nobody@example.com,${new Date(Date.now() - 60_000).toISOString()},PHONE,1,10`
		].join('\n');
		const response = await fetch(`${server.url}/api/v1/imports/sales?dryRun=0`, {
			method: 'POST',
			headers: { authorization: `Bearer ${tokens.integration}`, 'content-type': 'text/csv' },
			body: csv
		});
		expect(response.status, await response.clone().text()).toBe(200);
		const dry = await fetch(`${server.url}/api/v1/imports/sales`, {
			method: 'POST',
			headers: { authorization: `Bearer ${tokens.integration}`, 'content-type': 'text/csv' },
			body: csv
		});
		expect(dry.status).toBe(200);
		const rows = (outcome: string, mode = 'commit') =>
			`honorboard_import_rows_total{outcome="${outcome}",mode="${mode}"}`;
		const after = await metricsText();
		expect(sample(after, rows('accepted'))).toBe(sample(before, rows('accepted')) + 1);
		expect(sample(after, rows('rejected'))).toBe(sample(before, rows('rejected')) + 1);
		expect(sample(after, rows('accepted', 'dry_run'))).toBe(
			sample(before, rows('accepted', 'dry_run')) + 1
		);
		// Only the committed sale is recorded.
		const imported = 'honorboard_sales_recorded_total{channel="import"}';
		expect(sample(after, imported)).toBe(sample(before, imported) + 1);
	});
});

describe('logs', () => {
	// The seeded ended season is archived by the first scheduler run: that runs after listen.
	it('show the server listening before any background job ran', async () => {
		await waitFor(() => server.output().includes('is now archived'), 15_000, 'the scheduler');
		const messages = logLines().map((l) => String(l.msg));
		const listening = messages.findIndex((m) => m.startsWith('Honorboard is running'));
		const firstJob = messages.findIndex((m) => / is now /.test(m));
		expect(listening).toBeGreaterThanOrEqual(0);
		expect(firstJob).toBeGreaterThan(listening);
	});

	it('are JSON lines with a level and a message; one access line per request, with its id', async () => {
		const from = server.output().length;
		const response = await fetch(`${server.url}/login`, {
			headers: { 'x-request-id': 'probe-123' }
		});
		expect(response.status).toBe(200);
		expect(response.headers.get('x-request-id')).toBe('probe-123');
		// A request without an id gets a new one, different for each request.
		const a = (await fetch(`${server.url}/healthz`)).headers.get('x-request-id');
		const b = (await fetch(`${server.url}/healthz`)).headers.get('x-request-id');
		expect(a).toMatch(/^[0-9a-f-]{36}$/);
		expect(b).not.toBe(a);

		// Only these three requests' lines: a request of an earlier test (or of a background
		// client) may finish and log while these run.
		const ours = new Set(['probe-123', a, b]);
		const accessLines = () =>
			logLines(from).filter((l) => l.msg === 'request' && ours.has(String(l.reqId)));
		await waitFor(() => accessLines().length >= 3, 5_000, 'the access lines');
		for (const line of logLines())
			expect(line).toEqual(
				expect.objectContaining({ level: expect.any(String), time: expect.any(String) })
			);
		const access = accessLines();
		// A line is written when its response has been sent, so a quick /healthz may log before
		// the /login page that was asked for first: one line each, in any order.
		expect(access.map((l) => l.reqId).sort()).toEqual(['probe-123', a, b].sort());
		expect(access.find((l) => l.reqId === 'probe-123')).toMatchObject({
			level: 'info',
			method: 'GET',
			path: '/login',
			route: '/(auth)/login',
			status: 200,
			ms: expect.any(Number)
		});
	});

	it("carry the request's id into the lines a service writes while serving it", async () => {
		const from = server.output().length;
		const response = await fetch(`${server.url}/login`, {
			method: 'POST',
			body: new URLSearchParams({ email: seeded.people[0].email, password: PASSWORD }),
			headers: {
				origin: server.url,
				'content-type': 'application/x-www-form-urlencoded',
				accept: 'text/html',
				'x-request-id': 'sign-in-42'
			},
			redirect: 'manual'
		});
		expect(response.status).toBe(303);
		await waitFor(
			() => logLines(from).some((l) => l.msg === 'request' && l.reqId === 'sign-in-42'),
			5_000,
			'the access line'
		);
		const lines = logLines(from).filter((l) => l.reqId === 'sign-in-42');
		expect(lines.map((l) => l.msg)).toEqual(['signed in', 'request']);
		expect(lines[0]).toMatchObject({ level: 'info', userId: seeded.people[0].id });
	});

	it('never write the secret part of an invitation, reset or TV link', async () => {
		const from = server.output().length;
		await get('/invite/secret-invite-token');
		await get('/tv/secret-display-token');
		await waitFor(
			() => logLines(from).some((l) => l.path === '/tv/[token]'),
			5_000,
			'the access lines'
		);
		expect(server.output().slice(from)).not.toContain('secret-');
		const paths = logLines(from).map((l) => l.path);
		expect(paths).toContain('/invite/[token]');
		expect(paths).toContain('/tv/[token]');
	});

	it('warn once when requests carry X-Forwarded-For but ADDRESS_HEADER is not set', async () => {
		const warning = 'ADDRESS_HEADER is not set';
		expect(server.output()).not.toContain(warning);
		await get('/healthz', { 'x-forwarded-for': '203.0.113.7' });
		await get('/healthz', { 'x-forwarded-for': '203.0.113.8' });
		await waitFor(() => server.output().includes(warning), 5_000, 'the warning');
		const warnings = logLines().filter((l) => String(l.msg).includes(warning));
		expect(warnings).toHaveLength(1);
		expect(warnings[0].level).toBe('warn');
	});
});

describe('compression and caching', () => {
	const immutableAsset = () => {
		const dir = resolve(import.meta.dirname, '../../build/client/_app/immutable/chunks');
		const sizes = readdirSync(dir)
			.filter((f) => f.endsWith('.js'))
			.map((f) => ({ f, size: statSync(join(dir, f)).size }));
		const file = sizes.sort((a, b) => b.size - a.size)[0].f;
		return `/_app/immutable/chunks/${file}`;
	};

	it('compresses pages, JSON and assets with brotli or gzip, as the client accepts', async () => {
		const metricsAuth = { authorization: `Bearer ${tokens.admin}` };
		const compressed = new Set<string>();
		for (const [path, extra] of [
			['/login', {}],
			['/metrics', metricsAuth],
			[`/api/v1/seasons/${seeded.seasonId}/leaderboard`, metricsAuth],
			[immutableAsset(), {}]
		] as const) {
			const plain = await get(path, { ...extra, 'accept-encoding': 'identity' });
			expect(plain.status, path).toBe(200);
			expect(plain.headers['content-encoding'], path).toBeUndefined();
			for (const encoding of ['br', 'gzip']) {
				const packed = await get(path, { ...extra, 'accept-encoding': encoding });
				expect(packed.status, path).toBe(200);
				if (plain.body.length < 1024) continue; // small answers are not worth it
				compressed.add(path);
				expect(packed.headers['content-encoding'], `${path} ${encoding}`).toBe(encoding);
				expect(packed.headers.vary).toMatch(/accept-encoding/i);
				expect(packed.body.length).toBeLessThan(plain.body.length);
				if (!path.startsWith('/login') && !path.startsWith('/metrics'))
					expect(decoded(packed)).toBe(plain.body.toString());
			}
		}
		// Every kind was large enough here to be compressed: page, text, JSON and a script.
		expect(compressed.size).toBe(4);
		expect((await get('/login', { 'accept-encoding': 'gzip' })).headers['content-encoding']).toBe(
			'gzip'
		);
		const page = decoded(await get('/login', { 'accept-encoding': 'br' }));
		expect(page).toContain('</html>');
	});

	it('marks immutable assets cacheable for a year', async () => {
		const asset = await get(immutableAsset(), { 'accept-encoding': 'br' });
		expect(asset.status).toBe(200);
		expect(asset.headers['cache-control']).toBe('public,max-age=31536000,immutable');
	});

	it('can be turned off when a proxy compresses (HONORBOARD_COMPRESSION=off)', async () => {
		const plain = await startServer({
			dbPath: seeded.path,
			env: { HONORBOARD_COMPRESSION: 'off' }
		});
		try {
			const page = await get('/login', { 'accept-encoding': 'br, gzip' }, plain.url);
			expect(page.status).toBe(200);
			expect(page.headers['content-encoding']).toBeUndefined();
			expect(page.body.toString()).toContain('</html>');
		} finally {
			await plain.stop();
		}
	});
});

describe('/readyz during shutdown', () => {
	// A request whose headers arrived before SIGTERM keeps its connection open; a probe pipelined
	// behind it on the same connection is answered while the server stops.
	it('answers 503 once SIGTERM has arrived', async () => {
		const own = await seedServerDb({ teams: 1, people: 1 });
		const stopping = await startServer({ dbPath: own.path });
		try {
			const body = new URLSearchParams({
				email: own.people[0].email,
				password: PASSWORD
			}).toString();
			const socket = net.connect(stopping.port, '127.0.0.1');
			let received = '';
			const closed = new Promise<void>((r) => socket.once('close', () => r()));
			socket.on('data', (chunk) => (received += chunk.toString('latin1')));
			socket.write(
				[
					'POST /login HTTP/1.1',
					`Host: 127.0.0.1:${stopping.port}`,
					`Origin: ${stopping.url}`,
					'Accept: text/html',
					'Content-Type: application/x-www-form-urlencoded',
					`Content-Length: ${Buffer.byteLength(body)}`,
					'Expect: 100-continue',
					'',
					''
				].join('\r\n')
			);
			await waitFor(() => received.includes('100 Continue'), 5_000, '100 Continue');
			stopping.process.kill('SIGTERM');
			await waitFor(() => stopping.output().includes('SIGTERM received'), 5_000, 'SIGTERM');
			socket.write(
				body + ['GET /readyz HTTP/1.1', `Host: 127.0.0.1:${stopping.port}`, '', ''].join('\r\n')
			);
			await closed;
			const answers = received.split(/(?=HTTP\/1\.1 \d{3})/).filter((a) => !a.includes(' 100 '));
			expect(answers.map((a) => a.slice(9, 12))).toEqual(['303', '503']);
			const json = JSON.parse(answers[1].slice(answers[1].indexOf('\r\n\r\n') + 4));
			expect(json).toEqual({
				status: 'not_ready',
				ready: false,
				checks: { database: 'ok', migrations: 'ok' },
				shuttingDown: true
			});
			expect(answers[1]).toMatch(/connection: close/i);
			expect(await stopping.stop()).toBe(0);
		} finally {
			await stopping.dispose();
			own.cleanup();
		}
	});
});
