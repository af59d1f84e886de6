// Graceful shutdown of the production server (server.ts): SIGTERM as an orchestrator sends it.
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import { io as ioClient } from 'socket.io-client';
import { existsSync, statSync } from 'node:fs';
import { startServer, type RunningServer } from '../helpers/server';
import {
	connect,
	PASSWORD,
	readDb,
	seedServerDb,
	signIn,
	socketFor,
	waitFor,
	type SeededDb
} from '../helpers/seeded';

let seeded: SeededDb | undefined;
let server: RunningServer | undefined;

afterEach(async () => {
	await server?.dispose();
	seeded?.cleanup();
	server = seeded = undefined;
});

async function start() {
	seeded = await seedServerDb({ teams: 1, people: 1 });
	server = await startServer({ dbPath: seeded.path });
	return { seeded, server };
}

function exitOf(running: RunningServer): Promise<number | null> {
	const child = running.process;
	if (child.exitCode !== null) return Promise.resolve(child.exitCode);
	return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Exit code, or 'still running' when the process has not exited within `ms`. */
function exitWithin(running: RunningServer, ms: number): Promise<number | null | 'still running'> {
	return Promise.race([
		exitOf(running),
		new Promise<'still running'>((r) => setTimeout(() => r('still running'), ms))
	]);
}

function expectCleanDatabase(path: string) {
	// closeDb() ran: the last connection checkpointed and removed the WAL.
	const wal = `${path}-wal`;
	expect(!existsSync(wal) || statSync(wal).size === 0, 'WAL left behind').toBe(true);
	expect(readDb(path, (db) => db.pragma('integrity_check', { simple: true }))).toBe('ok');
	expect(
		readDb(path, (db) => db.prepare('select count(*) from user').pluck().get())
	).toBeGreaterThan(0);
}

/**
 * Starts a sign-in (argon2 verification, a session insert) whose body is held back until the
 * server has received SIGTERM: `Expect: 100-continue` tells us when the server has read the
 * headers, its "SIGTERM received" line when the signal has been handled.
 */
function loginInFlightDuringShutdown(
	running: RunningServer,
	email: string,
	agent: http.Agent | false
) {
	const body = new URLSearchParams({ email, password: PASSWORD }).toString();
	return new Promise<{ status: number; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
		const request = http.request(`${running.url}/login`, {
			method: 'POST',
			agent,
			headers: {
				origin: running.url,
				accept: 'text/html',
				'content-type': 'application/x-www-form-urlencoded',
				'content-length': Buffer.byteLength(body),
				expect: '100-continue'
			}
		});
		request.on('continue', async () => {
			running.process.kill('SIGTERM');
			try {
				await waitFor(
					() => running.output().includes('SIGTERM received'),
					5_000,
					'the server to see SIGTERM'
				);
			} catch (error) {
				return reject(error);
			}
			request.end(body);
		});
		request.on('response', (response) => {
			response.resume();
			response.on('end', () =>
				resolve({ status: response.statusCode!, headers: response.headers })
			);
		});
		request.on('error', reject);
	});
}

describe('on a signal', () => {
	it.each(['SIGTERM', 'SIGINT'] as const)(
		'%s: exits with code 0 within a few seconds, closing sockets and idle connections',
		async (signal) => {
			const { seeded, server } = await start();
			// An idle keep-alive connection (fetch keeps one) and a live socket must not hold it open.
			expect((await fetch(`${server.url}/login`)).status).toBe(200);
			const session = await signIn(server.url, seeded.people[0].email);
			const socket = socketFor(server.url, session);
			await connect(socket);
			const disconnected = new Promise<string>((r) =>
				socket.once('disconnect', (reason) => r(reason))
			);

			server.process.kill(signal);
			expect(await exitWithin(server, 8_000)).toBe(0);
			expect(
				await Promise.race([
					disconnected,
					new Promise((r) => setTimeout(() => r('no disconnect'), 2_000))
				])
			).not.toBe('no disconnect');
			socket.disconnect();
			expect(server.output()).toContain(`${signal} received`);
			expect(server.output()).not.toContain('took too long');
			expectCleanDatabase(seeded.path);
		}
	);
});

describe('a request in flight when SIGTERM arrives', () => {
	it('is answered, its write is kept, new connections are refused, and the exit code is 0', async () => {
		const { seeded, server } = await start();
		const email = seeded.people[0].email;
		const response = loginInFlightDuringShutdown(server, email, false);

		// While that sign-in waits, the server no longer accepts connections.
		await waitFor(() => server.output().includes('SIGTERM received'), 5_000, 'SIGTERM');
		let refused = '';
		const until = Date.now() + 3_000;
		while (!refused && Date.now() < until) {
			try {
				await fetch(`${server.url}/login`, { signal: AbortSignal.timeout(1_000) });
				await new Promise((r) => setTimeout(r, 50));
			} catch (error) {
				refused = String((error as { cause?: { code?: string } }).cause?.code ?? error);
			}
		}
		expect(refused).toBe('ECONNREFUSED');

		const answer = await response;
		expect(answer.status).toBe(303);
		expect(String(answer.headers['set-cookie'])).toMatch(/session=/);
		expect(await exitWithin(server, 8_000)).toBe(0);

		expectCleanDatabase(seeded.path);
		const sessions = readDb(seeded.path, (db) =>
			db.prepare('select count(*) from session where user_id = ?').pluck().get(seeded.people[0].id)
		);
		expect(sessions).toBe(1);
	});

	// BUG (server.ts shutdown): closeIdleConnections() runs once, when the signal arrives. A
	// keep-alive connection that was busy then is answered with `Connection: keep-alive` and
	// stays open, and the server goes on serving every request sent on it; a client that keeps
	// using its connection (a polling board, an integration) holds the shutdown until the 10 s
	// timer exits with code 1 ("Shutdown took too long").
	it('does not let a kept-alive connection hold the shutdown open', async () => {
		const { seeded, server } = await start();
		const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
		try {
			const answer = await loginInFlightDuringShutdown(server, seeded.people[0].email, agent);
			expect(answer.status).toBe(303);

			// The client goes on as it would: the next requests reuse the pooled connection.
			let served = 0;
			const stopAt = Date.now() + 12_000;
			while (server.process.exitCode === null && Date.now() < stopAt) {
				const ok = await new Promise<boolean>((resolve) => {
					http
						.get(`${server.url}/login`, { agent }, (res) => {
							res.resume();
							res.on('end', () => resolve(true));
						})
						.on('error', () => resolve(false));
				});
				if (!ok) break;
				served++;
				await new Promise((r) => setTimeout(r, 250));
			}
			const code = await exitWithin(server, 12_000);
			expect(
				code,
				`${served} requests were served after SIGTERM; server log:\n${server.output()}`
			).toBe(0);
			expect(server.output()).not.toContain('took too long');
		} finally {
			agent.destroy();
		}
	});
});

// BUG (issue #16): a client outside the browser (socket.io-client in Node, the Python client)
// connects with the default transports: long-polling first, then an upgrade. io.close() left
// such a client's connection open, and the shutdown gave up after 10 s with exit code 1.
describe('a non-browser socket client connected when SIGTERM arrives', () => {
	it.each([
		['default transports (polling, then upgrade)', undefined],
		['long-polling only', ['polling']]
	] as const)('%s: is disconnected and the exit code is 0', async (_, transports) => {
		const { seeded, server } = await start();
		const session = await signIn(server.url, seeded.people[0].email);
		const socket = ioClient(server.url, {
			autoConnect: false,
			reconnection: false,
			...(transports ? { transports: [...transports] } : {}),
			extraHeaders: { cookie: `session=${session}` },
			timeout: 5_000
		});
		try {
			await new Promise<void>((resolve, reject) => {
				socket.once('connect', () => resolve());
				socket.once('connect_error', reject);
				socket.connect();
			});
			// Let a default client finish its upgrade, and a polling one open its next poll.
			await new Promise((r) => setTimeout(r, 300));
			const disconnected = new Promise<string>((r) =>
				socket.once('disconnect', (reason) => r(reason))
			);
			server.process.kill('SIGTERM');
			expect(await exitWithin(server, 5_000), server.output()).toBe(0);
			expect(await disconnected).toBeTruthy();
			expect(server.output()).not.toContain('took too long');
			expectCleanDatabase(seeded.path);
		} finally {
			socket.disconnect();
		}
	});

	it('a raw WebSocket client that never answers the close frame does not hold the exit', async () => {
		const { seeded, server } = await start();
		const session = await signIn(server.url, seeded.people[0].email);
		const raw = await rawSocketIoClient(server.port, session);
		try {
			server.process.kill('SIGTERM');
			expect(await exitWithin(server, 5_000), server.output()).toBe(0);
			expect(server.output()).not.toContain('took too long');
			expectCleanDatabase(seeded.path);
		} finally {
			raw.destroy();
		}
	});
});

/** One masked WebSocket text frame (a client must mask what it sends). */
function clientTextFrame(text: string): Buffer {
	const payload = Buffer.from(text);
	const mask = Buffer.from([1, 2, 3, 4]);
	const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]));
	return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

/**
 * A bare TCP client that upgrades to Engine.IO's WebSocket, joins the default namespace as a
 * signed-in person, and then reads nothing and answers nothing (as a stalled script would).
 */
function rawSocketIoClient(port: number, session: string): Promise<net.Socket> {
	return new Promise((resolve, reject) => {
		const socket = net.connect(port, '127.0.0.1', () => {
			socket.write(
				[
					'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1',
					`Host: 127.0.0.1:${port}`,
					'Upgrade: websocket',
					'Connection: Upgrade',
					'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
					'Sec-WebSocket-Version: 13',
					`Cookie: session=${session}`,
					'',
					''
				].join('\r\n')
			);
		});
		let received = '';
		const onData = (chunk: Buffer) => {
			received += chunk.toString('latin1');
			if (received.includes('101 Switching Protocols') && received.includes('"sid"')) {
				socket.write(clientTextFrame('40'));
			}
			if (/40\{"sid"/.test(received)) {
				socket.off('data', onData);
				socket.pause(); // from now on it reads nothing
				resolve(socket);
			}
		};
		socket.on('data', onData);
		socket.once('error', reject);
	});
}
