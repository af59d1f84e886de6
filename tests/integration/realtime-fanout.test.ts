// HONORBOARD_FANOUT=process: the live sockets in their own process (realtime/fanout.ts) behave
// as in one process: cookie auth, watch, pushes after an API sale, long-polling, sign-out, and a
// clean shutdown of both processes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { io as ioClient } from 'socket.io-client';
import { startServer, type RunningServer } from '../helpers/server';
import { postSale } from '../helpers/sales';
import {
	apiTokenFor,
	connect,
	readDb,
	seedServerDb,
	signIn,
	socketFor,
	waitFor,
	type ClientSocket,
	type SeededDb
} from '../helpers/seeded';
import type { LeaderboardPush, LeaderboardSnapshot, WatchAck } from '../../src/lib/realtime/events';

let seeded: SeededDb;
let server: RunningServer;
let token: string;
let session: string;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
	seeded = await seedServerDb({ teams: 2, people: 4 });
	token = apiTokenFor(seeded.path);
	server = await startServer({ dbPath: seeded.path, env: { HONORBOARD_FANOUT: 'process' } });
	session = await signIn(server.url, seeded.people[0].email);
});

afterAll(async () => {
	for (const socket of sockets) socket.disconnect();
	await server?.dispose();
	seeded?.cleanup();
});

async function connected(socket = socketFor(server.url, session)): Promise<ClientSocket> {
	sockets.push(socket);
	// The fan-out process may still be starting: its first connection waits for it.
	await connect(socket);
	return socket;
}

function watch(socket: ClientSocket): Promise<WatchAck> {
	return socket.timeout(10_000).emitWithAck('watch', { seasonId: seeded.seasonId });
}

/** The processes the server forked (the fan-out process). */
function childrenOf(pid: number): number[] {
	return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
		.trim()
		.split(/\s+/)
		.filter(Boolean)
		.map(Number);
}

describe('live sockets in the fan-out process', () => {
	it('refuses a socket without credentials and accepts the session cookie', async () => {
		const stranger = socketFor(server.url);
		sockets.push(stranger);
		await expect(connect(stranger)).rejects.toThrow('unauthorized');
		const socket = await connected();
		expect(socket.connected).toBe(true);
		expect(childrenOf(server.process.pid!)).toHaveLength(1);
	});

	it('pushes a sale, its feed item in the same frame, to a WebSocket and a long-polling client', async () => {
		const ws = await connected();
		const polling = await connected(
			ioClient(server.url, {
				autoConnect: false,
				reconnection: false,
				transports: ['polling'],
				extraHeaders: { cookie: `session=${session}` },
				timeout: 10_000
			})
		);
		const pushes = new Map<ClientSocket, LeaderboardPush[]>([
			[ws, []],
			[polling, []]
		]);
		for (const [socket, list] of pushes) {
			const ack = (await watch(socket)) as LeaderboardSnapshot;
			expect(ack.seasonId).toBe(seeded.seasonId);
			socket.on('leaderboard', (push) => list.push(push));
		}
		const answer = await postSale<{ version: number }>(server.url, token, {
			externalId: 'fanout-1',
			seller: seeded.people[1].email
		});
		expect(answer.status).toBe(201);
		const { version } = answer.body;
		for (const [, list] of pushes) {
			await waitFor(() => list.some((p) => p.version >= version), 10_000, 'the push');
			const items = list.flatMap((p) => p.activity ?? []);
			expect(items.map((i) => i.userId)).toContain(seeded.people[1].id);
		}
	});

	it('disconnects a watching socket when its session signs out in the writer', async () => {
		const other = await signIn(server.url, seeded.people[0].email);
		const socket = await connected(socketFor(server.url, other));
		await watch(socket);
		const gone = new Promise<string>((done) => socket.once('disconnect', done));
		const logout = await fetch(`${server.url}/logout`, {
			method: 'POST',
			body: new URLSearchParams(),
			headers: {
				origin: server.url,
				cookie: `session=${other}`,
				accept: 'text/html',
				'content-type': 'application/x-www-form-urlencoded'
			},
			redirect: 'manual'
		});
		expect(logout.status).toBe(303);
		expect(await gone).toBe('io server disconnect');
	});

	it('stops both processes on SIGTERM and leaves a clean database', async () => {
		const socket = await connected();
		await watch(socket);
		const [child] = childrenOf(server.process.pid!);
		const closed = new Promise<string>((done) => socket.once('disconnect', done));
		expect(await server.stop()).toBe(0);
		expect(await closed).toBe('io server disconnect');
		expect(existsSync(`/proc/${child}`)).toBe(false);
		const wal = `${seeded.path}-wal`;
		expect(!existsSync(wal) || statSync(wal).size === 0, 'WAL left behind').toBe(true);
		expect(readDb(seeded.path, (db) => db.pragma('integrity_check', { simple: true }))).toBe('ok');
	});
});
