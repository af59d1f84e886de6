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
 * Commands one connection holds at most, sent and waiting for an answer or waiting to be sent
 * (REDIS_QUEUE_MAX). While Redis is away or hangs, each sale's word to the other nodes would
 * otherwise wait in memory until it is back, with no bound; past this, a command fails at once
 * and the push it carried is dropped (the other nodes catch up when Redis answers again, see
 * `onResync`). A word to the others is a few hundred bytes: 10,000 of them a few MB. A healthy
 * Redis answers in well under a millisecond, so only an outage (or a burst of thousands of
 * sockets closing at once, whose recovery sessions are written then) comes near it.
 */
const DEFAULT_QUEUE_MAX = 10_000;
/** While commands fail, how often the link checks whether Redis answers again (ms). */
const RECOVERY_CHECK_MS = 250;
/** How long before Redis's last answer an outage's `since` is put (OutageEnded). */
const ANSWER_MARGIN_MS = 1_000;

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
	/** Commands waiting for Redis now, and commands dropped (failed) since the start. */
	stats(): RedisStats;
	/**
	 * `listener` runs each time Redis answers again, on every connection, after commands failed
	 * or a connection was lost: what this node told the others meanwhile may be lost, and what
	 * they told it too (cluster.ts then has every board read again).
	 */
	onResync(listener: (outage: OutageEnded) => void): void;
	/** Sends what is still queued (the sessions of the sockets just closed), then disconnects. */
	close(): Promise<void>;
}

export interface OutageEnded {
	/**
	 * When Redis last answered this node before the outage, less a second (ms): what this node
	 * sent from then on may have been refused or lost, on any connection.
	 */
	since: number;
}

export interface RedisStats {
	/** Commands sent (or queued to send) and not answered yet, all connections together. */
	pending: number;
	/** Commands that failed since the start: refused on a full queue, or lost with a connection. */
	dropped: number;
}

/** REDIS_QUEUE_MAX: a positive whole number, else RedisUnavailable (the node does not start). */
export function redisQueueMax(value = process.env.REDIS_QUEUE_MAX): number {
	if (value === undefined || value.trim() === '') return DEFAULT_QUEUE_MAX;
	const max = Number(value);
	if (!Number.isInteger(max) || max < 1)
		throw new RedisUnavailable(`REDIS_QUEUE_MAX "${value}" is not a whole number of 1 or more`);
	return max;
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
	const queueMax = redisQueueMax();
	let connected = false;
	let down = false;
	const client = createClient({
		url,
		// The adapter's copies (duplicate()) are made with the same options, so each connection
		// holds at most this many commands. The offline queue is kept (not disableOfflineQueue):
		// the reading copy sends its next XREAD as soon as one fails, and with no queue to wait
		// in it would fail again at once, round and round, without ever leaving the event loop.
		commandsQueueMaxLength: queueMax,
		socket: {
			connectTimeout: CONNECT_TIMEOUT_MS,
			// Before the first connection an error ends the attempt (connect() rejects); after it,
			// the client keeps trying. The adapter's own readers are copies of this client.
			reconnectStrategy: (retries, cause) =>
				connected ? Math.min(50 * 2 ** Math.min(retries, 6), RECONNECT_MAX_MS) : cause
		}
	});

	// An outage, from the first failed command (or lost connection) until Redis answers again
	// on every connection. Logged once at its start and once at its end, not per command: while
	// it lasts, every sale's word to the others fails.
	let dropped = 0;
	let outage: {
		dropped: number;
		answered: boolean;
		check: NodeJS.Timeout;
		since: number;
	} | null = null;
	// A healthy Redis answers within milliseconds: a command sent a second before its last
	// answer was answered too (in order on its connection), or its connection's outage is this.
	let lastAnswer = Date.now();
	const resyncListeners: ((outage: OutageEnded) => void)[] = [];
	let pinging = false;
	function outageBegins(reason: string, error: unknown) {
		if (outage) return;
		outage = {
			dropped: 0,
			answered: false,
			check: setInterval(outageOver, RECOVERY_CHECK_MS),
			since: lastAnswer - ANSWER_MARGIN_MS
		};
		outage.check.unref();
		log.warn(
			{ err: error },
			// Not "answers again": those words are the end's line, which operators and tests look for.
			`${reason}: what this node publishes to the other nodes is dropped until Redis is back ` +
				`(at most ${queueMax} commands wait per connection); sales are still taken, ` +
				'and the boards on every node are read again then'
		);
	}
	function outageOver() {
		// Over once a command was answered after it began (a Redis that hangs keeps its
		// connections open: being connected is not enough) and every connection is ready.
		if (!outage || !handled.allReady()) return;
		if (!outage.answered) {
			// A node that sends nothing (a writer whose sockets are in the fan-out process) asks
			// itself; on the raw client, so that a refused ping does not count as dropped.
			if (!pinging) {
				pinging = true;
				client
					.ping()
					.then(
						() => void (outage && (outage.answered = true)),
						() => {}
					)
					.finally(() => (pinging = false));
			}
			return;
		}
		clearInterval(outage.check);
		log.info(
			`Redis (${withoutPassword(url)}) answers again; ${outage.dropped} command(s) dropped ` +
				'meanwhile: the boards are read again'
		);
		const ended = { since: outage.since };
		outage = null;
		for (const listener of resyncListeners) {
			try {
				listener(ended);
			} catch (error) {
				log.error({ err: error }, 'resynchronising after a Redis outage failed');
			}
		}
	}
	// Every command's promise handled: the adapter leaves some unawaited, and a connection that
	// breaks rejects those waiting for an answer (redis-handled.ts).
	const handled = handledClients(
		client as unknown as RedisClientLike,
		(command, error) => {
			dropped++;
			const full = error instanceof Error && error.message === 'The queue is full';
			outageBegins(
				full ? 'Redis does not answer and its queue is full' : 'A Redis command failed',
				error
			);
			outage!.dropped++;
			log.debug({ err: error, command }, 'A Redis command failed');
		},
		() => {
			lastAnswer = Date.now();
			if (outage) outage.answered = true;
		}
	);
	// Without an 'error' listener node-redis would throw the error and stop the process.
	client.on('error', (error: Error) => {
		if (!connected || down) return;
		down = true;
		log.error(
			{ err: error },
			`Lost the connection to Redis (${withoutPassword(url)}): this node's sockets still get ` +
				'pushes, but not what happens on the other nodes until it is back (/readyz answers 503)'
		);
		outageBegins('The connection to Redis is lost', error);
	});
	client.on('ready', () => {
		down = false;
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
		stats: () => ({ pending: handled.pending(), dropped }),
		onResync: (listener) => void resyncListeners.push(listener),
		close: async () => {
			// Called as the process stops. A Redis that is away would hold a graceful close until
			// it is back, and destroying the client would only reject what is queued: the client
			// is left to the exit then, and the queued sessions are lost (their clients reconnect
			// as new sockets).
			if (outage) clearInterval(outage.check);
			if (!client.isReady) return;
			let timer: NodeJS.Timeout | undefined;
			const late = new Promise<void>((done) => (timer = setTimeout(done, CLOSE_WAIT_MS)));
			await Promise.race([client.close().catch(() => {}), late]);
			clearTimeout(timer);
		}
	};
}
