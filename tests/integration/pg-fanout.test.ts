// The fan-out process on PostgreSQL (HONORBOARD_FANOUT=process with DATABASE_URL=postgres://…,
// docs/postgres.md "Running on PostgreSQL"): two built nodes on one PostgreSQL and one Redis, each
// with its sockets in its own fan-out child reading through a pool of its own. The checks that
// realtime-fanout.test.ts, fanout-readyz.test.ts and two-nodes.test.ts make of the child on
// SQLite: a socket without credentials refused; a sale through node A's API pushed to WebSocket
// and long-polling watchers held by both nodes' children, with its feed item and no version gap;
// a snapshot and a standing answered by the child from the pool; a sign-out on node A cutting off
// the person's sockets on both nodes; /readyz answering for the child and its Redis link; a child
// killed started again; both processes stopped by SIGTERM. Needs `npm run build`.
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { io as ioClient } from 'socket.io-client';
import { startServer, type RunningServer } from '../helpers/server';
import { postSale } from '../helpers/sales';
import { leaderboardOf, rankRows, watchBoard } from '../helpers/live-board';
import {
	connect,
	PASSWORD,
	signIn,
	socketFor,
	waitFor,
	type ClientSocket
} from '../helpers/seeded';
import { duelOfFirstTwo, pgWorld, stopPgWorld, type PgWorld } from '../helpers/pg-world';
import type { Store } from '../../src/lib/server/db/store';
import { createUser } from '../../src/lib/server/people/users';
import { createApiToken } from '../../src/lib/server/auth/api-token';
import type {
	LeaderboardPush,
	LeaderboardSnapshot,
	StandingAck
} from '../../src/lib/realtime/events';

const ADMIN = 'admin@pg-fanout.test';
const MEMBER = 'pia@pg-fanout.test';

let world: PgWorld;
let store: Store;
let redisAdmin: ReturnType<typeof createClient>;
let a: RunningServer;
let b: RunningServer;
let season: PgWorld['season'];
let member: { id: number };
let token: string;
let session: string;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
	world = await pgWorld(ADMIN);
	({ store, season } = world);
	// A member who can sign in (liveSeasonOn's people cannot): her socket asks for her standing.
	member = await createUser(store, {
		email: MEMBER,
		displayName: 'Pia',
		role: 'participant',
		password: PASSWORD
	});
	const { product, seasonMember } = store.tables;
	await store.db
		.insert(seasonMember)
		.values({ seasonId: season.seasonId, userId: member.id, teamId: season.teamIds[0] });
	await store.db.insert(product).values({
		seasonId: season.seasonId,
		sku: 'PHONE',
		name: 'Phone',
		category: 'Phones',
		points: 10,
		price: 1000
	});
	token = (await createApiToken(store, { name: 'crm', role: 'integration' })).token;
	// A duel between the first two: the board's format views, which the child reads from the pool.
	await duelOfFirstTwo(world, 'pg-fanout-duel');
	const env = { ...world.env, HONORBOARD_FANOUT: 'process' };
	[a, b] = await Promise.all([startServer({ env }), startServer({ env })]);
	session = await signIn(a.url, ADMIN);
	redisAdmin = createClient({ url: world.redis.url });
	await redisAdmin.connect();
}, 120_000);

afterAll(async () => {
	for (const socket of sockets) socket.disconnect();
	await redisAdmin?.close().catch(() => {});
	await Promise.all([a?.dispose(), b?.dispose()]);
	await stopPgWorld(world);
});

async function connected(socket: ClientSocket): Promise<ClientSocket> {
	sockets.push(socket);
	// A child that is starting (again) takes the connection once it is ready.
	await connect(socket);
	return socket;
}

/** A long-polling client, the fallback a proxy that refuses WebSockets leaves. */
function pollingFor(server: RunningServer, sessionToken: string): ClientSocket {
	return ioClient(server.url, {
		autoConnect: false,
		reconnection: false,
		transports: ['polling'],
		extraHeaders: { cookie: `session=${sessionToken}` },
		timeout: 10_000
	});
}

/** A board of the season as the app's client keeps it, with the feed items' people. */
async function boardOn(socket: ClientSocket) {
	const state = await watchBoard(await connected(socket), season.seasonId);
	const sellers: number[] = [];
	socket.on('leaderboard', (push: LeaderboardPush) => {
		for (const item of push.activity ?? []) sellers.push(item.userId);
	});
	return { socket, state, sellers };
}

/** The processes a node forked: its fan-out child. */
function childrenOf(server: RunningServer): number[] {
	const pid = server.process.pid!;
	return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
		.trim()
		.split(/\s+/)
		.filter(Boolean)
		.map(Number);
}

async function ready(server: RunningServer) {
	const response = await fetch(`${server.url}/readyz`);
	const body = (await response.json()) as { checks: Record<string, string> };
	return { status: response.status, ...body.checks };
}

const UP = { status: 200, database: 'ok', migrations: 'ok', redis: 'up', fanout: 'up' };

describe('the fan-out process on PostgreSQL, two nodes and Redis', () => {
	it('starts the child on the pool, ready, with no SQLite file', async () => {
		for (const node of [a, b]) {
			expect(node.output()).not.toContain('the fan-out process (HONORBOARD_FANOUT)');
			await waitFor(() => node.output().includes('Live fan-out process ready'), 20_000, 'child');
			expect(childrenOf(node)).toHaveLength(1);
			await waitFor(async () => (await ready(node)).status === 200, 20_000, '/readyz 200');
			expect(await ready(node)).toEqual(UP);
			expect(existsSync(node.dbPath)).toBe(false);
		}
	});

	it('refuses a socket without credentials', async () => {
		await expect(connected(socketFor(a.url))).rejects.toThrow('unauthorized');
	});

	it("pushes a sale on node A to both nodes' children, WebSocket and long-polling, with its feed item", async () => {
		const boards = [
			await boardOn(socketFor(a.url, session)),
			await boardOn(pollingFor(a, session)),
			await boardOn(socketFor(b.url, session))
		];
		const before = boards[0].state.board.version;
		const sold = await postSale<{ version: number }>(a.url, token, {
			externalId: 'pg-fanout-1',
			seller: MEMBER,
			quantity: 5
		});
		expect(sold.status).toBe(201);
		expect(sold.body.version).toBeGreaterThan(before);
		const api = await leaderboardOf(b.url, token, season.seasonId);
		expect(api.entries[0]).toMatchObject({ id: member.id, points: 50 });
		for (const { state, sellers } of boards) {
			await waitFor(() => state.board.version >= sold.body.version, 10_000, 'the push');
			expect(rankRows(state.board.individual)).toEqual(rankRows(api.entries));
			expect(sellers).toContain(member.id);
			expect(state.gaps).toBe(0);
		}
	});

	it('answers a watch with its format views, a snapshot and a standing from the pool', async () => {
		const pia = await signIn(b.url, MEMBER);
		const { socket, state } = await boardOn(socketFor(b.url, pia));
		const snapshot = (await socket
			.timeout(10_000)
			.emitWithAck('snapshot', { seasonId: season.seasonId })) as LeaderboardSnapshot;
		const api = await leaderboardOf(a.url, token, season.seasonId);
		expect(snapshot.version).toBe(api.version);
		expect(snapshot.version).toBe(state.board.version);
		expect(rankRows(snapshot.individual)).toEqual(rankRows(api.entries));
		for (const formats of [state.board.formats, snapshot.formats]) {
			const duels = (formats?.challenges as { duels: { id: number }[] } | null)?.duels;
			expect(duels).toHaveLength(1);
		}
		const standing = (await socket
			.timeout(10_000)
			.emitWithAck('standing', { seasonId: season.seasonId })) as StandingAck;
		expect(standing).toMatchObject({ me: { entry: { id: member.id, rank: 1, points: 50 } } });
	});

	it("cuts off a person's sockets on both nodes when they sign out on node A", async () => {
		const other = await signIn(a.url, ADMIN);
		const held = [
			await connected(socketFor(a.url, other)),
			await connected(socketFor(b.url, other))
		];
		for (const socket of held)
			await socket.timeout(10_000).emitWithAck('watch', { seasonId: season.seasonId });
		const gone = held.map(
			(socket) => new Promise<string>((done) => socket.once('disconnect', done))
		);
		const logout = await fetch(`${a.url}/logout`, {
			method: 'POST',
			body: new URLSearchParams(),
			headers: {
				origin: a.url,
				cookie: `session=${other}`,
				accept: 'text/html',
				'content-type': 'application/x-www-form-urlencoded'
			},
			redirect: 'manual'
		});
		expect(logout.status).toBe(303);
		expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);
	});

	it("is not ready while the children's own links to Redis are down, the writers' being up", async () => {
		// Each child's adapter holds the node's only PUB/SUB connection. They are cut, and Redis
		// refuses new connections meanwhile, so that they cannot come back.
		const clients = await redisAdmin.clientList();
		const pubsub = clients.filter((client) => client.flags.includes('P')).length;
		expect(pubsub).toBe(2);
		await redisAdmin.configSet('maxclients', String(clients.length - pubsub));
		try {
			await redisAdmin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
			for (const node of [a, b]) {
				await waitFor(async () => (await ready(node)).status === 503, 10_000, '/readyz 503');
				expect(await ready(node)).toMatchObject({ status: 503, redis: 'down', fanout: 'up' });
			}
		} finally {
			await redisAdmin.configSet('maxclients', '10000');
		}
		for (const node of [a, b]) {
			await waitFor(async () => (await ready(node)).status === 200, 20_000, '/readyz 200 again');
			expect(await ready(node)).toEqual(UP);
		}
	});

	it('starts a killed child again, whose new sockets get the next sale from node B', async () => {
		const old = await boardOn(socketFor(a.url, session));
		const cut = new Promise<string>((done) => old.socket.once('disconnect', done));
		const [pid] = childrenOf(a);
		process.kill(pid, 'SIGKILL');
		// The board was held by the child: it goes with it.
		expect(await cut).toBe('transport close');
		await waitFor(async () => (await ready(a)).status === 503, 10_000, '/readyz 503');
		expect(await ready(a)).toMatchObject({ status: 503, fanout: 'down' });
		await waitFor(async () => (await ready(a)).status === 200, 30_000, '/readyz 200 again');
		expect(await ready(a)).toEqual(UP);
		expect(childrenOf(a)).toHaveLength(1);
		expect(childrenOf(a)[0]).not.toBe(pid);
		expect(a.process.exitCode, a.output()).toBeNull();

		const again = await boardOn(socketFor(a.url, session));
		const sold = await postSale<{ version: number }>(b.url, token, {
			externalId: 'pg-fanout-2',
			seller: season.people[2].email
		});
		expect(sold.status).toBe(201);
		await waitFor(() => again.state.board.version >= sold.body.version, 10_000, 'the push');
		expect(again.sellers).toContain(season.people[2].id);
		expect(again.state.gaps).toBe(0);
	});

	it('stops both processes of a node on SIGTERM', async () => {
		const { socket } = await boardOn(socketFor(b.url, session));
		const children = childrenOf(b);
		expect(children).toHaveLength(1);
		const [child] = children;
		const closed = new Promise<string>((done) => socket.once('disconnect', done));
		expect(await b.stop()).toBe(0);
		// With Redis the sockets close without the word to disconnect: their clients may recover
		// their sessions on another node (docs/scale-out.md).
		expect(await closed).toBe('transport close');
		expect(existsSync(`/proc/${child}`)).toBe(false);
		expect(b.output()).not.toMatch(/took too long|exited; starting it again/);
	});

	// Last: it stops PostgreSQL.
	it('says in one line that the database did not answer when a child cannot open its pool, and its writer stops clean', async () => {
		await world.pg.stop();
		const [pid] = childrenOf(a);
		process.kill(pid, 'SIGKILL');
		await waitFor(
			() => a.output().includes('The database did not answer: the live fan-out process stops'),
			20_000,
			"the child's line"
		);
		// The writer starts another a second later, and goes on doing so.
		expect(a.process.exitCode, a.output()).toBeNull();
		expect(await ready(a)).toMatchObject({ status: 503, fanout: 'down' });
		// No child listens on the Unix socket the killed one left: the writer's stop removes it.
		const socketFile = join(tmpdir(), `honorboard-fanout-${a.process.pid}.sock`);
		expect(existsSync(socketFile)).toBe(true);
		expect(await a.stop()).toBe(0);
		expect(existsSync(socketFile)).toBe(false);
	});
});
