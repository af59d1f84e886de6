// Two app nodes on one SQLite file and one Redis: the set-up of the multi-node tests
// (two-nodes, redis-link, redis-outage). A seeded database, a throwaway Redis
// (helpers/redis.ts), an admin API token, and two production servers started one after the
// other: the first opens (and migrates) the file and takes the scheduler's lease before the
// second starts, so that a test knows which node runs season transitions (A). Two processes on
// one file stand in for the shared database until the app runs on PostgreSQL (issue #20).
//
// The sockets' periodic check is slowed down to 10 minutes, so that only the nodes telling each
// other can explain what a test sees.
import { openDatabase, type Db } from '../../src/lib/server/db';
import { startRedis, type TestRedis } from './redis';
import { startServer, type RunningServer } from './server';
import {
	apiTokenFor,
	readDb,
	seedServerDb,
	socketFor,
	waitFor,
	type ClientSocket,
	type SeededDb
} from './seeded';

export interface TwoNodes {
	seeded: SeededDb;
	/** An admin API token. */
	token: string;
	/** The Redis of the nodes; restartRedis() replaces it. */
	redis: TestRedis;
	/** The node started first, which holds the scheduler's lease. */
	a: RunningServer;
	b: RunningServer;
	/**
	 * One more node on the same database and Redis, with the set-up's environment and `env`; on
	 * `port` to bring a stopped node back where its clients expect it.
	 */
	node(options?: { port?: number; env?: Record<string, string> }): Promise<RunningServer>;
	/** Redis again on its port, after it was stopped or killed. */
	restartRedis(): Promise<TestRedis>;
	/** A socket (not connected yet) that stop() disconnects. */
	socket(url: string, session?: string): ClientSocket;
	/** Who holds the scheduler's lease (host:pid:random), if anyone. */
	leaseHolder(): string | undefined;
	/** Disconnects the sockets, stops every node started and Redis, removes the database. */
	stop(): Promise<void>;
}

export async function startTwoNodes(
	options: {
		teams?: number;
		people?: number;
		/** Added to every node's environment (REDIS_QUEUE_MAX…). */
		env?: Record<string, string>;
		/** Runs on the seeded file before any node opens it: more users, seasons. */
		prepare?: (db: Db, seeded: SeededDb) => Promise<void> | void;
	} = {}
): Promise<TwoNodes> {
	const seeded = await seedServerDb({ teams: options.teams ?? 2, people: options.people ?? 4 });
	if (options.prepare) {
		const db = openDatabase(seeded.path);
		try {
			await options.prepare(db, seeded);
		} finally {
			db.$client.close();
		}
	}
	const token = apiTokenFor(seeded.path);
	const started: RunningServer[] = [];
	const sockets: ClientSocket[] = [];
	const leaseHolder = () =>
		readDb(seeded.path, (db) =>
			db.prepare(`select holder from scheduler_lease where name = 'scheduler'`).pluck().get()
		) as string | undefined;
	const nodes: TwoNodes = {
		seeded,
		token,
		redis: await startRedis(),
		a: undefined as unknown as RunningServer,
		b: undefined as unknown as RunningServer,
		async node({ port, env } = {}) {
			const server = await startServer({
				dbPath: seeded.path,
				port,
				env: {
					REDIS_URL: nodes.redis.url,
					HONORBOARD_SOCKET_CHECK_MS: '600000',
					...options.env,
					...env
				}
			});
			started.push(server);
			return server;
		},
		async restartRedis() {
			nodes.redis = await startRedis({ port: nodes.redis.port });
			return nodes.redis;
		},
		socket(url, session) {
			const socket = socketFor(url, session);
			sockets.push(socket);
			return socket;
		},
		leaseHolder,
		async stop() {
			for (const socket of sockets) socket.disconnect();
			await Promise.all(started.map((server) => server.stop()));
			await nodes.redis.stop();
			seeded.cleanup();
		}
	};
	try {
		nodes.a = await nodes.node();
		const pid = nodes.a.process.pid;
		// A runs its scheduler as soon as it listens; B starts once A holds the lease.
		await waitFor(
			() => leaseHolder()?.includes(`:${pid}:`) ?? false,
			10_000,
			'A to hold the lease'
		);
		nodes.b = await nodes.node();
	} catch (error) {
		await nodes.stop();
		throw error;
	}
	return nodes;
}
