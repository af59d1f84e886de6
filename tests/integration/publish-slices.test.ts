// A push to a room of more sockets than a slice (publish.ts, SLICE_SOCKETS) is written a slice
// per turn of the event loop: every watcher still gets the one frame, Socket.IO's own protocol
// on the wire (socket.io-client), and a socket that left the room before its slice gets nothing.
// The board is read through the store, on a temp SQLite file and a throwaway PostgreSQL.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Server } from 'socket.io';
import { io as ioClient, type Socket as ClientSocket } from 'socket.io-client';
import { Publisher, type RealtimeServer } from '../../src/lib/server/realtime/publish';
import { seasonRoom, type ActivityItem, type LeaderboardPush } from '../../src/lib/realtime/events';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('publish-slices');
const PORT = 46820;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A feed item: a push carries it even when the season's version has not moved. */
const item = (seasonId: number, id: string): ActivityItem => ({
	id,
	seasonId,
	kind: 'quiz_open',
	userId: 0,
	userName: '',
	teamName: '',
	summary: 'A quiz',
	points: 5,
	provisional: false,
	at: Date.now()
});

/** Resolves once `check()` holds (or fails after `ms`). */
async function until(check: () => boolean, ms = 5_000): Promise<void> {
	const end = Date.now() + ms;
	while (!check()) {
		if (Date.now() > end) throw new Error(`not within ${ms} ms`);
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const store = () => nodes[dialect][0];

	it('sends every watcher the frame, a slice of sockets at a time', async () => {
		const { seasonId } = await liveSeasonOn(store(), { size: 3, teams: ['A'], endsAt: 2e12 });
		const http = createServer();
		const io = new Server(http, { serveClient: false }) as unknown as RealtimeServer;
		io.on('connection', (socket) => void socket.join(seasonRoom(seasonId)));
		await new Promise<void>((done) => http.listen(PORT, '127.0.0.1', done));
		cleanups.push(() => new Promise<void>((done) => void io.close(() => done())));
		const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
		const got: LeaderboardPush[][] = [];
		const clients: ClientSocket[] = [];
		for (let i = 0; i < 5; i++) {
			const client = ioClient(url, { transports: ['websocket'], reconnection: false });
			const frames: LeaderboardPush[] = [];
			client.on('leaderboard', (push: LeaderboardPush) => frames.push(push));
			got.push(frames);
			clients.push(client);
			cleanups.push(() => void client.disconnect());
		}
		await until(() => io.sockets.adapter.rooms.get(seasonRoom(seasonId))?.size === 5);

		const publisher = new Publisher(io, store(), { intervalMs: 0, sliceSockets: 2 });
		cleanups.push(() => publisher.close());
		const emits: unknown[] = [];
		const local = io.local;
		Object.defineProperty(io, 'local', {
			get: () => {
				emits.push(1);
				return local;
			}
		});
		publisher.activity(item(seasonId, 'quiz-1'));
		await until(() => got.every((frames) => frames.length === 1));

		// Three slices of 2, 2 and 1 sockets: three emits, one frame each.
		expect(emits).toHaveLength(3);
		for (const [frame] of got)
			expect(frame).toMatchObject({ kind: 'snapshot', seasonId, version: got[0][0].version });
	});

	it('skips a socket that left the room before its slice', async () => {
		const { seasonId } = await liveSeasonOn(store(), { size: 2, teams: ['A'], endsAt: 2e12 });
		const name = seasonRoom(seasonId);
		const members = new Set(['a', 'b', 'c']);
		const sentTo: string[][] = [];
		// A stand-in Socket.IO server: the room's members, and who each emit went to.
		const io = {
			sockets: { adapter: { rooms: new Map([[name, members]]) } },
			local: {
				to: (to: string | string[]) => ({
					emit: () => {
						sentTo.push(typeof to === 'string' ? [...members] : to);
						// 'c' watches another season once the first slice is out.
						members.delete('c');
					}
				})
			}
		} as unknown as RealtimeServer;
		const publisher = new Publisher(io, store(), { intervalMs: 0, sliceSockets: 1 });
		cleanups.push(() => publisher.close());
		publisher.activity(item(seasonId, 'quiz-2'));
		await until(() => sentTo.length === 2);
		await new Promise((resolve) => setTimeout(resolve, 50));

		expect(sentTo).toEqual([['a'], ['b']]);
	});
});
