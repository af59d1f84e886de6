// room-frame.ts's `emitToRoom` with real Socket.IO clients: every client of the room gets every
// frame once and in order, whether the frame went straight to its WebSocket or through engine.io
// (long polling, an upgrade under way, packets waiting in engine.io's buffer), and gets the
// bytes `io.local.to(room).emit` would have sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server as HttpServer } from 'node:http';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { io as ioClient, type Socket as ClientSocket } from 'socket.io-client';
import { emitToRoom } from '../../src/lib/server/realtime/room-frame';
import type { LeaderboardDelta } from '../../src/lib/realtime/events';

const ROOM = 'season:1';
const FRAMES = 20;

let http: HttpServer;
let io: Server;
let url: string;
const clients: ClientSocket[] = [];

/** engine.io's side of a server socket, as room-frame.ts reads it. */
interface Conn {
	writeBuffer: unknown[];
	transport: {
		name: string;
		socket?: { _sender: { sendFrame(frame: Buffer[], written?: () => void): void } };
	};
}
const connOf = (socket: ServerSocket) => socket.conn as unknown as Conn;

beforeAll(async () => {
	http = createServer();
	// attach.ts's options.
	io = new Server(http, { serveClient: false, maxHttpBufferSize: 16 * 1024 });
	io.on('connection', (socket) => {
		socket.on('watch', (ack: () => void) => {
			void socket.join(ROOM);
			ack();
		});
	});
	await new Promise<void>((done) => http.listen(0, '127.0.0.1', done));
	url = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
});

afterAll(async () => {
	for (const client of clients) client.disconnect();
	await new Promise((done) => io.close(done));
});

/** A client watching the room, and the server's socket for it. */
async function watcher(transports: string[], upgrade = true) {
	const client = ioClient(url, { transports, upgrade, forceNew: true });
	clients.push(client);
	const got: unknown[][] = [];
	const raw: string[] = [];
	client.onAny((event: string, ...args: unknown[]) => got.push([event, ...args]));
	client.io.on('open', () =>
		client.io.engine.on('packet', (packet: { type: string; data?: unknown }) => {
			if (packet.type === 'message' && typeof packet.data === 'string') raw.push(packet.data);
		})
	);
	await new Promise<void>((done) => client.once('connect', () => done()));
	await client.emitWithAck('watch');
	// The frames after the watch's ack only.
	raw.length = 0;
	return { client, got, raw, server: io.sockets.sockets.get(client.id!)! };
}

/**
 * Counts the frames written straight to a socket's `ws` sender: engine.io's own writes (through
 * `ws.send`, or its pre-encoded frames) pass a write callback, emitToRoom's do not.
 */
function countDirect(socket: ServerSocket): { n: number } {
	const sender = connOf(socket).transport.socket!._sender;
	const count = { n: 0 };
	const sendFrame = sender.sendFrame.bind(sender);
	sender.sendFrame = (frame, written) => {
		if (!written) count.n++;
		sendFrame(frame, written);
	};
	return count;
}

/** A push as publish.ts sends one; `name` for the first row. */
const delta = (version: number, name = 'Sam'): LeaderboardDelta => ({
	kind: 'delta',
	seasonId: 1,
	version,
	baseVersion: version - 1,
	individual: [
		{ rank: 1, id: 7, name, points: 100 + version, provisionalPoints: 0, salesCount: 1 }
	],
	order: [7, 3, 1],
	teams: [],
	teamOrder: [],
	players: 3,
	moved: [[7, 100 + version]],
	activity: []
});

const until = async (check: () => boolean) => {
	while (!check()) await new Promise((done) => setTimeout(done, 10));
};

describe('emitToRoom', () => {
	it('gives every watcher every frame once, in order, straight to WebSockets', async () => {
		const ws = await watcher(['websocket']);
		const polling = await watcher(['polling']);
		const upgrading = await watcher(['polling', 'websocket']);
		const direct = countDirect(ws.server);
		for (let version = 1; version <= FRAMES; version++)
			emitToRoom(io, ROOM, 'leaderboard', delta(version));
		for (const { got } of [ws, polling, upgrading]) {
			await until(() => got.length >= FRAMES);
			expect(got).toEqual(Array.from({ length: FRAMES }, (_, i) => ['leaderboard', delta(i + 1)]));
		}
		expect(direct.n).toBe(FRAMES);
		expect(connOf(polling.server).transport.name).toBe('polling');
		for (const { client } of [ws, polling, upgrading]) client.disconnect();
	});

	it('sends a frame after the packets waiting in engine.io, never before them', async () => {
		const ws = await watcher(['websocket']);
		const direct = countDirect(ws.server);
		// The first packet goes to the WebSocket and leaves the transport busy until its write is
		// done; the second waits in engine.io's buffer meanwhile.
		ws.server.emit('before', 1);
		ws.server.emit('before', 2);
		expect(connOf(ws.server).writeBuffer.length).toBe(1);
		emitToRoom(io, ROOM, 'leaderboard', delta(1));
		await until(() => ws.got.length >= 3);
		expect(ws.got).toEqual([
			['before', 1],
			['before', 2],
			['leaderboard', delta(1)]
		]);
		expect(direct.n).toBe(0);
		// Once engine.io's buffer is written, frames go straight to the socket again.
		emitToRoom(io, ROOM, 'leaderboard', delta(2));
		await until(() => ws.got.length >= 4);
		expect(ws.got[3]).toEqual(['leaderboard', delta(2)]);
		expect(direct.n).toBe(1);
		ws.client.disconnect();
	});

	it("sends the bytes of Socket.IO's own emit", async () => {
		const ws = await watcher(['websocket']);
		const polling = await watcher(['polling']);
		const data = delta(3, 'Zoë "Z" \u2603');
		emitToRoom(io, ROOM, 'leaderboard', data);
		io.local.to(ROOM).emit('leaderboard', data);
		for (const { raw } of [ws, polling]) {
			await until(() => raw.length >= 2);
			expect(raw[0]).toBe(raw[1]);
			expect(raw[0]).toBe('2' + JSON.stringify(['leaderboard', data]));
		}
		for (const { client } of [ws, polling]) client.disconnect();
	});
});
