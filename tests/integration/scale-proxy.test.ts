// compose.scale.yaml's front (#20): Caddy with deploy/Caddyfile.scale in front of two built nodes
// on one PostgreSQL and one Redis, as the compose file runs them (no Docker here: the same
// Caddyfile, its upstreams and site address pointed at this machine's ports, and the nodes'
// compose environment). Through the proxy: sign-in and pages, an API sale that reaches a
// WebSocket board, a long-polling board kept on one node by Caddy's cookie, and a node stopped
// mid-stream of sales (last: it leaves one node). Needs `npm run build` and Debian's `caddy`
// (.ci/run installs it).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { count, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient } from 'socket.io-client';
import { freePort, startServer, type RunningServer } from '../helpers/server';
import { postSaleBody, saleBody } from '../helpers/sales';
import { connect, signIn, waitFor, type ClientSocket } from '../helpers/seeded';
import { pgWorld, stopPgWorld, type PgWorld } from '../helpers/pg-world';
import { phoneAndCaseOn } from '../helpers/store-season';
import { createApiToken } from '../../src/lib/server/auth/api-token';
import { read } from '../../src/lib/server/db/store';
import type { LeaderboardPush } from '../../src/lib/realtime/events';

const ADMIN = 'admin@scale.test';
const ROOT = join(import.meta.dirname, '../..');

let world: PgWorld;
let nodes: RunningServer[] = [];
let caddy: ChildProcess | undefined;
let caddyLog = '';
let dir: string;
let proxy: string;
let token: string;
let session: string;
let serial = 0;
const sockets: ClientSocket[] = [];

/** deploy/Caddyfile.scale with the nodes on this machine's ports and the site on plain HTTP. */
function caddyfileFor(port: number, upstreams: number[]): string {
	const shipped = readFileSync(join(ROOT, 'deploy/Caddyfile.scale'), 'utf8');
	const site = '{$HONORBOARD_DOMAIN:localhost} {';
	const pool = 'reverse_proxy app1:3000 app2:3000 {';
	if (!shipped.includes(site) || !shipped.includes(pool))
		throw new Error('deploy/Caddyfile.scale changed: update this test');
	return [
		// No admin endpoint and no certificates: the test's own instance on a free port.
		'{\n\tadmin off\n\tauto_https off\n}',
		shipped
			.replace(site, `http://127.0.0.1:${port} {`)
			.replace(pool, `reverse_proxy ${upstreams.map((p) => `127.0.0.1:${p}`).join(' ')} {`)
	].join('\n');
}

/** A setting of the nodes' environment in compose.scale.yaml, as shipped. */
function composeSetting(name: string): string {
	const compose = readFileSync(join(ROOT, 'compose.scale.yaml'), 'utf8');
	const value = new RegExp(`^\\s+${name}: '([^']*)'$`, 'm').exec(compose)?.[1];
	if (value === undefined) throw new Error(`compose.scale.yaml sets no ${name}: update this test`);
	return value;
}

async function startCaddy(port: number, upstreams: number[]): Promise<void> {
	if (spawnSync('caddy', ['version']).status !== 0)
		throw new Error('caddy was not found: `apt-get install caddy` (Debian) runs this test');
	const file = join(dir, 'Caddyfile');
	writeFileSync(file, caddyfileFor(port, upstreams));
	caddy = spawn('caddy', ['run', '--config', file, '--adapter', 'caddyfile'], {
		env: { ...process.env, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir, HOME: dir },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	caddy.stdout!.on('data', (chunk) => (caddyLog += chunk));
	caddy.stderr!.on('data', (chunk) => (caddyLog += chunk));
	await waitFor(
		async () => (await fetch(`${proxy}/healthz`).catch(() => null))?.status === 200,
		20_000,
		`Caddy in front of the nodes:\n${caddyLog}`
	);
}

beforeAll(async () => {
	dir = mkdtempSync(join(tmpdir(), 'honorboard-scale-'));
	world = await pgWorld(ADMIN);
	await phoneAndCaseOn(world.store, world.season.seasonId);
	token = (await createApiToken(world.store, { name: 'crm', role: 'integration' })).token;
	const port = await freePort();
	proxy = `http://127.0.0.1:${port}`;
	// compose.scale.yaml's environment of the nodes, behind the proxy's address.
	const env = {
		...world.env,
		SHUTDOWN_DRAIN_MS: composeSetting('SHUTDOWN_DRAIN_MS'),
		ORIGIN: proxy,
		ADDRESS_HEADER: 'x-forwarded-for',
		XFF_DEPTH: '1',
		PROTOCOL_HEADER: 'x-forwarded-proto',
		HOST_HEADER: 'x-forwarded-host'
	};
	nodes = await Promise.all([startServer({ env }), startServer({ env })]);
	await startCaddy(
		port,
		nodes.map((node) => node.port)
	);
	session = await signIn(proxy, ADMIN);
}, 120_000);

afterAll(async () => {
	for (const socket of sockets) socket.disconnect();
	caddy?.kill('SIGTERM');
	await Promise.all(nodes.map((node) => node.dispose()));
	await stopPgWorld(world);
	rmSync(dir, { recursive: true, force: true });
});

/** A board through the proxy; `cookies` as a browser would send them. */
async function boardThroughProxy(transport: 'websocket' | 'polling', cookies: string) {
	const socket = ioClient(proxy, {
		autoConnect: false,
		reconnection: false,
		transports: [transport],
		extraHeaders: { cookie: cookies },
		timeout: 10_000
	}) as ClientSocket;
	sockets.push(socket);
	const pushes: LeaderboardPush[] = [];
	socket.on('leaderboard', (push) => pushes.push(push));
	await connect(socket);
	await socket.timeout(10_000).emitWithAck('watch', { seasonId: world.season.seasonId });
	return pushes;
}

/** A sale posted through the proxy; its status, or 0 when the connection failed. */
async function sellThroughProxy(externalId = `scale-${++serial}`): Promise<number> {
	const seller = world.season.people[serial % 3].email;
	const response = await postSaleBody(proxy, token, saleBody({ externalId, seller })).catch(
		() => null
	);
	return response?.status ?? 0;
}

/** A WebSocket board through the proxy that reconnects, and watches again, as the app's does. */
async function reconnectingBoard(cookies: string) {
	const socket = ioClient(proxy, {
		autoConnect: false,
		reconnectionDelay: 200,
		reconnectionDelayMax: 1_000,
		transports: ['websocket'],
		extraHeaders: { cookie: cookies },
		timeout: 10_000
	}) as ClientSocket;
	sockets.push(socket);
	const board = { socket, pushes: [] as LeaderboardPush[], drops: 0 };
	socket.on('leaderboard', (push) => board.pushes.push(push));
	socket.on('disconnect', () => board.drops++);
	// The server answers a watch only with an ack to answer to.
	socket.on('connect', () => socket.emit('watch', { seasonId: world.season.seasonId }, () => {}));
	await connect(socket);
	return board;
}

/** Two of Caddy's sticky cookies that name different nodes. */
async function oneCookiePerNode(): Promise<[string, string]> {
	const seen = new Set<string>();
	for (let i = 0; i < 50 && seen.size < 2; i++) seen.add(await stickyCookie());
	expect(seen.size, 'Caddy spreads first visits over both nodes').toBe(2);
	return [...seen] as [string, string];
}

/** The sales whose externalId starts with `prefix`, as the database holds them. */
async function salesStartingWith(prefix: string): Promise<number> {
	const { sale } = world.store.tables;
	const [row] = await read(world.store, (tx) =>
		tx
			.select({ n: count() })
			.from(sale)
			.where(like(sale.externalId, `${prefix}%`))
	);
	return Number(row.n);
}

/** The cookie Caddy's `lb_policy cookie` sets on a first answer: it names the node. */
async function stickyCookie(): Promise<string> {
	const answer = await fetch(`${proxy}/login`);
	const cookie = answer.headers
		.getSetCookie()
		.map((c) => c.split(';')[0])
		.find((c) => c.startsWith('lb='));
	expect(cookie, 'the proxy sets its sticky cookie').toBeDefined();
	return cookie!;
}

describe('compose.scale.yaml: Caddy in front of two nodes on PostgreSQL and Redis', () => {
	it('serves the pages through the proxy, signed in, on both nodes', async () => {
		const page = await fetch(`${proxy}/`, { headers: { cookie: `session=${session}` } });
		expect(page.status).toBe(200);
		expect(await page.text()).toContain(world.season.name);
		for (const node of nodes) expect((await fetch(`${node.url}/readyz`)).status).toBe(200);
	});

	it('pushes a sale posted through the proxy to a WebSocket board behind it', async () => {
		const pushes = await boardThroughProxy('websocket', `session=${session}`);
		expect(await sellThroughProxy()).toBe(201);
		await waitFor(() => pushes.length > 0, 10_000, 'the push through the proxy');
	});

	it('keeps a long-polling board on one node with its cookie, and pushes to it', async () => {
		const sticky = await stickyCookie();
		const pushes = await boardThroughProxy('polling', `session=${session}; ${sticky}`);
		// Sales through the proxy land on either node; the board hears them all through Redis.
		for (let i = 0; i < 4; i++) expect(await sellThroughProxy()).toBe(201);
		await waitFor(() => pushes.length > 0, 10_000, 'a push over long-polling');
		const socket = sockets.at(-1)!;
		expect(socket.connected).toBe(true);
		expect(socket.io.engine.transport.name).toBe('polling');
	});

	// Last: it leaves one node up.
	it('stops a node mid-stream of sales without a failed request; its board moves to the other', async () => {
		const boards = await Promise.all(
			(await oneCookiePerNode()).map((cookie) => reconnectingBoard(`session=${session}; ${cookie}`))
		);
		// Two integrations post sales one after another through the proxy all along the stop.
		const answers: number[] = [];
		let selling = true;
		const sellers = [1, 2].map(async (n) => {
			for (let i = 0; selling; i++) answers.push(await sellThroughProxy(`stop-${n}-${i}`));
		});
		await sleep(500);
		const [stopping] = nodes;
		const ready = await fetch(`${stopping.url}/readyz`);
		expect(ready.status).toBe(200);
		const exited = stopping.stop();
		// Draining: not ready, still serving.
		await waitFor(
			async () => (await fetch(`${stopping.url}/readyz`)).status === 503,
			5_000,
			'/readyz 503 once the node is told to stop'
		);
		expect(await exited, stopping.output()).toBe(0);
		await sleep(1_000);
		selling = false;
		await Promise.all(sellers);

		expect(answers.length).toBeGreaterThan(10);
		expect(
			answers.filter((status) => status !== 201),
			`every sale through the proxy answered 201 while a node stopped:\n${caddyLog}`
		).toEqual([]);
		// Each acknowledged sale is in the database once.
		expect(await salesStartingWith('stop-')).toBe(answers.length);

		// The board that was on the stopped node reconnected through the proxy to the other and
		// watches again (leaderboard pushes carry no stream offset to recover from: two-nodes.test.ts
		// recovers a session after a season event); both boards hear a sale made now.
		expect(boards.map((b) => b.drops).sort()).toEqual([0, 1]);
		await waitFor(() => boards.every((b) => b.socket.connected), 10_000, 'the board back');
		const heard = boards.map((b) => b.pushes.length);
		expect(await sellThroughProxy()).toBe(201);
		await waitFor(
			() => boards.every((b, i) => b.pushes.length > heard[i]),
			10_000,
			'a push to both boards after the stop'
		);
	}, 60_000);
});
