// A Redis that hangs for a while under two nodes taking sales, and later dies and comes back.
// What waits for Redis on a node must stay bounded (REDIS_QUEUE_MAX per connection): before,
// each sale's word to the other node waited in memory until Redis answered, however long that
// took. The node keeps taking every sale (the database is its own), counts the pushes it drops
// (/metrics), says so once in its log, and when Redis answers again a board on the other node
// catches up with what it missed, without another sale: the version and the rows a fresh
// snapshot has.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server';
import { startRedis, type TestRedis } from '../helpers/redis';
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
import { applyPush } from '../../src/lib/realtime/board-state';
import type { LeaderboardSnapshot, WatchAck } from '../../src/lib/realtime/events';

/** A small bound, so that a few dozen sales pass it. */
const QUEUE_MAX = 20;
/** Each node has three connections to Redis: its own, and the adapter's reader and subscriber. */
const CONNECTIONS = 3;

let seeded: SeededDb;
let redis: TestRedis;
let a: RunningServer;
let b: RunningServer;
let token: string;
let session: string;
const sockets: ClientSocket[] = [];
let sold = 0;

function node(): Promise<RunningServer> {
	return startServer({
		dbPath: seeded.path,
		env: {
			REDIS_URL: redis.url,
			REDIS_QUEUE_MAX: String(QUEUE_MAX),
			HONORBOARD_SOCKET_CHECK_MS: '600000'
		}
	});
}

beforeAll(async () => {
	seeded = await seedServerDb({ teams: 2, people: 6 });
	token = apiTokenFor(seeded.path);
	redis = await startRedis();
	a = await node();
	b = await node();
	session = await signIn(b.url, seeded.people[0].email);
}, 120_000);

afterAll(async () => {
	for (const socket of sockets) socket.disconnect();
	await Promise.all([a?.stop(), b?.stop()]);
	await redis?.stop();
	seeded?.cleanup();
});

/** `count` sales on A, one after the other, spread over the sellers so that ranks change. */
async function sellOnA(count: number, prefix: string): Promise<string[]> {
	const ids: string[] = [];
	for (let i = 0; i < count; i++) {
		const externalId = `${prefix}-${++sold}`;
		const seller = seeded.people[sold % seeded.people.length].email;
		const answer = await postSale(a.url, token, { externalId, seller, quantity: 1 + (sold % 3) });
		expect(answer.status, JSON.stringify(answer.body)).toBe(201);
		ids.push(externalId);
	}
	return ids;
}

function stored(externalIds: string[]): number {
	return readDb(seeded.path, (db) =>
		db
			.prepare(
				`select count(*) from sale where external_id in (${externalIds.map(() => '?').join(',')})`
			)
			.pluck()
			.get(...externalIds)
	) as number;
}

function seasonVersion(): number {
	return readDb(seeded.path, (db) =>
		db.prepare('select version from season where id = ?').pluck().get(seeded.seasonId)
	) as number;
}

/** The node's Redis figures from /metrics. */
async function redisMetrics(server: RunningServer) {
	const response = await fetch(`${server.url}/metrics`, {
		headers: { authorization: `Bearer ${token}` }
	});
	const text = await response.text();
	const value = (name: string) => {
		const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
		if (!match) throw new Error(`${name} is not in /metrics`);
		return Number(match[1]);
	};
	return {
		pending: value('honorboard_redis_commands_pending'),
		dropped: value('honorboard_redis_commands_dropped_total')
	};
}

/** A board on `server`, kept as the client keeps it (board-state.ts), snapshots on a gap. */
async function boardOn(server: RunningServer) {
	const socket = socketFor(server.url, session);
	sockets.push(socket);
	await connect(socket);
	const ask = async (event: 'watch' | 'snapshot') => {
		const ack = (await socket
			.timeout(10_000)
			.emitWithAck(event, { seasonId: seeded.seasonId })) as WatchAck;
		if ('error' in ack) throw new Error(ack.error.code);
		return ack;
	};
	const state = { board: await ask('watch'), pushes: 0 };
	socket.on('leaderboard', (push) => {
		state.pushes++;
		const applied = applyPush(state.board, push);
		if ('board' in applied) state.board = applied.board;
		else if ('gap' in applied) void ask('snapshot').then((board) => (state.board = board));
	});
	return { state, fresh: () => ask('snapshot') };
}

/** Whether the board has the database's version and the rows of a fresh snapshot. */
async function caughtUp(board: Awaited<ReturnType<typeof boardOn>>): Promise<boolean> {
	const now: LeaderboardSnapshot = board.state.board;
	if (now.version !== seasonVersion()) return false;
	const fresh = await board.fresh();
	return (
		JSON.stringify([now.individual, now.teams]) === JSON.stringify([fresh.individual, fresh.teams])
	);
}

function outageWarnings(server: RunningServer): number {
	return server
		.output()
		.split('\n')
		.filter((line) => line.includes('is dropped until Redis')).length;
}

/**
 * The outage warnings once `expected` of them are in the log and a flush more has gone by: the
 * server writes its log lines in batches, up to 0.1 s late (shared/log.ts, batchLogLines).
 */
async function settledWarnings(server: RunningServer, expected: number): Promise<number> {
	await waitFor(() => outageWarnings(server) >= expected, 5_000, 'the outage warning');
	await new Promise((resolve) => setTimeout(resolve, 500));
	return outageWarnings(server);
}

describe('a Redis that hangs, then dies, under two nodes taking sales', () => {
	let onB: Awaited<ReturnType<typeof boardOn>>;

	it('bounds what waits for a hung Redis, takes every sale and counts the dropped pushes', async () => {
		onB = await boardOn(b);
		await sellOnA(1, 'outage-before');
		await waitFor(() => onB.state.pushes > 0, 10_000, 'a push on B for a sale on A');
		expect((await redisMetrics(a)).dropped).toBe(0);

		redis.freeze();
		const ids = await sellOnA(120, 'outage-hung');
		const during = await redisMetrics(a);
		// Each sale tells the other node once: 120 commands, of which at most QUEUE_MAX per
		// connection wait; the rest were refused at once and counted.
		expect(during.pending).toBeLessThanOrEqual(QUEUE_MAX * CONNECTIONS);
		expect(during.dropped).toBeGreaterThanOrEqual(120 - QUEUE_MAX * CONNECTIONS);
		expect(stored(ids)).toBe(ids.length);
		// Said once, not per command.
		expect(await settledWarnings(a, 1)).toBe(1);
		expect((await fetch(`${a.url}/healthz`)).status).toBe(200);
		expect(a.process.exitCode, a.output()).toBeNull();
	});

	it('catches the board on the other node up once Redis answers again', async () => {
		redis.thaw();
		await waitFor(() => caughtUp(onB), 20_000, 'the board on B caught up with A');
		await waitFor(() => a.output().includes('answers again'), 10_000, 'A logs that Redis answers');
		expect((await redisMetrics(a)).pending).toBeLessThanOrEqual(CONNECTIONS);
	});

	it('catches it up after Redis died and came back, with no sale after its return', async () => {
		const before = await redisMetrics(a);
		redis.freeze();
		// Told while Redis hangs, then lost with the connections when it dies.
		const ids = await sellOnA(30, 'outage-killed');
		await redis.kill();
		expect(stored(ids)).toBe(ids.length);
		const during = await redisMetrics(a);
		expect(during.pending).toBeLessThanOrEqual(QUEUE_MAX * CONNECTIONS);
		expect(during.dropped).toBeGreaterThan(before.dropped);
		expect(onB.state.board.version).toBeLessThan(seasonVersion());
		// Whether this outage gets a warning of its own depends on when the first command fails
		// (a drop, or the connection lost at the kill): the count per outage is the test above's.
		expect(outageWarnings(a)).toBeGreaterThanOrEqual(1);

		redis = await startRedis({ port: redis.port });
		// Nothing is sold now: the board catches up from what the nodes read again.
		await waitFor(() => caughtUp(onB), 20_000, 'the board on B caught up after the restart');
		for (const server of [a, b]) {
			expect(server.process.exitCode, server.output()).toBeNull();
			expect(server.output()).not.toMatch(/unhandled|UnhandledPromiseRejection/i);
		}
	});
});
