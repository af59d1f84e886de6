// REDIS_URL=redis://… : several app nodes share their live sockets through Socket.IO's Redis
// Streams adapter (docs/scale-out.md). The `redis` client and the adapter are imported only
// when REDIS_URL is set: a single node loads neither.
import type { ServerOptions } from 'socket.io';
import { log } from '../shared/log';
import { withoutPassword } from '../shared/url';
import { handledClients, type RedisClientLike } from './redis-handled';

/** How long a start waits for Redis before it gives up (ms). */
const CONNECT_TIMEOUT_MS = 5_000;
/** A stop waits this long for what is queued to reach Redis (ms). */
const CLOSE_WAIT_MS = 2_000;
/** After a lost connection, reconnects wait up to this long between tries (ms). */
const RECONNECT_MAX_MS = 2_000;

/**
 * How long a node keeps a dropped socket's session (rooms, data, the stream position it had
 * read to) in Redis, so that a client back within that time, on any node, resumes where it was.
 */
const RECOVERY_WINDOW_MS = 2 * 60_000;

/** What names this node's keys and channels in Redis when REDIS_PREFIX is not set. */
export const DEFAULT_REDIS_PREFIX = 'honorboard';

export interface RedisLink {
	/**
	 * What `new Server(…)` takes: the adapter, and connection-state recovery. The adapter (and
	 * its own connections to Redis) is made on first use: a writer whose sockets live in the
	 * fan-out process keeps the link for readiness only.
	 */
	readonly serverOptions: Partial<ServerOptions>;
	/** Whether every connection of this node to Redis is open (readiness, /readyz). */
	isUp(): boolean;
	/** Sends what is still queued (the sessions of the sockets just closed), then disconnects. */
	close(): Promise<void>;
}

/** The names this node uses in Redis, all starting with the prefix (REDIS_PREFIX). */
export interface RedisNames {
	/** The adapter's stream: broadcasts and what recovery replays. */
	streamName: string;
	/** What starts the PUB/SUB channels between nodes (the adapter adds `#<namespace>#…`). */
	channelPrefix: string;
	/** Dropped sockets' sessions, kept for recovery. */
	sessionKeyPrefix: string;
}

/**
 * The names for REDIS_PREFIX (default `honorboard`), so that two installs sharing one Redis
 * (staging and production) never see each other's pushes. Throws RedisUnavailable for a prefix
 * that could run into another's names (spaces, `#`, which the adapter puts between a channel's
 * parts, `*` and the like that KEYS/SCAN patterns read).
 */
export function redisNames(prefix = process.env.REDIS_PREFIX): RedisNames {
	const name = prefix?.trim() || DEFAULT_REDIS_PREFIX;
	if (!/^[\w.:-]{1,64}$/.test(name))
		throw new RedisUnavailable(
			`REDIS_PREFIX "${name}" is not usable (up to 64 letters, digits and . _ - :)`
		);
	return {
		streamName: `${name}:socket.io`,
		channelPrefix: `${name}:socket.io`,
		sessionKeyPrefix: `${name}:session:`
	};
}

/** A CommonJS package's exports, whether the import gave them by name or as `default`. */
function commonJs<T extends object>(module: T): T {
	return (module as { default?: T }).default ?? module;
}

/** The one-line reason a start gives up. */
export class RedisUnavailable extends Error {}

/**
 * Connects to Redis and builds the adapter. Rejects with RedisUnavailable when Redis does not
 * answer within a few seconds: the caller stops the node rather than run it alone, because a
 * node without the adapter would look healthy while its boards missed every sale taken by the
 * other nodes. Once connected, a lost connection is logged and retried for as long as it takes;
 * meanwhile the node keeps pushing to its own sockets (publish.ts emits locally).
 */
export async function connectRedis(url: string, names = redisNames()): Promise<RedisLink> {
	const [redis, adapter] = await Promise.all([
		import('redis'),
		import('@socket.io/redis-streams-adapter')
	]);
	// Both are CommonJS: bundled (build/server.js) their exports come as `default`.
	const { createClient } = commonJs(redis);
	const { createAdapter } = commonJs(adapter);
	let connected = false;
	let down = false;
	const client = createClient({
		url,
		socket: {
			connectTimeout: CONNECT_TIMEOUT_MS,
			// Before the first connection an error ends the attempt (connect() rejects); after it,
			// the client keeps trying. The adapter's own readers are copies of this client.
			reconnectStrategy: (retries, cause) =>
				connected ? Math.min(50 * 2 ** Math.min(retries, 6), RECONNECT_MAX_MS) : cause
		}
	});
	// Every command's promise handled: the adapter leaves some unawaited, and a connection that
	// breaks rejects those waiting for an answer (redis-handled.ts).
	let failed = 0;
	const handled = handledClients(client as unknown as RedisClientLike, (command, error) => {
		// At warn level once per outage: while it lasts, every sale's word to the others fails.
		if (failed++ === 0) log.warn({ err: error, command }, 'A Redis command failed');
		else log.debug({ err: error, command }, 'A Redis command failed');
	});
	// Without an 'error' listener node-redis would throw the error and stop the process.
	client.on('error', (error: Error) => {
		if (!connected || down) return;
		down = true;
		log.error(
			{ err: error },
			`Lost the connection to Redis (${withoutPassword(url)}): this node's sockets still get ` +
				'pushes, but not what happens on the other nodes until it is back (/readyz answers 503)'
		);
	});
	client.on('ready', () => {
		if (down)
			log.info(
				`Connected to Redis again (${withoutPassword(url)}); ${failed} command(s) failed meanwhile`
			);
		down = false;
		failed = 0;
	});
	const timeout = setTimeout(() => void client.destroy(), CONNECT_TIMEOUT_MS + 1_000);
	try {
		await client.connect();
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		throw new RedisUnavailable(
			`Redis at ${withoutPassword(url)} did not answer (${reason || 'timeout'})`
		);
	} finally {
		clearTimeout(timeout);
	}
	connected = true;
	let serverOptions: Partial<ServerOptions> | undefined;
	return {
		get serverOptions() {
			serverOptions ??= {
				adapter: createAdapter(handled.client, names),
				connectionStateRecovery: {
					maxDisconnectionDuration: RECOVERY_WINDOW_MS,
					// A recovered socket passes io.use again: the session may have ended meanwhile.
					skipMiddlewares: false
				}
			};
			return serverOptions;
		},
		isUp: () => handled.allReady(),
		close: async () => {
			// Called as the process stops. A Redis that is away would hold a graceful close until
			// it is back, and destroying the client would only reject what is queued: the client
			// is left to the exit then, and the queued sessions are lost (their clients reconnect
			// as new sockets).
			if (!client.isReady) return;
			let timer: NodeJS.Timeout | undefined;
			const late = new Promise<void>((done) => (timer = setTimeout(done, CLOSE_WAIT_MS)));
			await Promise.race([client.close().catch(() => {}), late]);
			clearTimeout(timer);
		}
	};
}
