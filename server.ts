// Production entry: one HTTP server for SvelteKit's handler and Socket.IO.
// Built by scripts/build-server.mjs to build/server.js; run with `node build/server.js`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { constants as zlib } from 'node:zlib';
import compression from 'compression';
import { attachRealtime } from './src/lib/server/realtime/attach';
import { connectRedis, RedisUnavailable, type RedisLink } from './src/lib/server/realtime/redis';
import {
	FanoutProcess,
	fanoutProcessWanted,
	SOCKET_IO_PATH
} from './src/lib/server/realtime/fanout';
import { setPublisher } from './src/lib/server/realtime/publish';
import { onSessionsEnded } from './src/lib/server/auth/session-events';
import { DEFAULT_DATABASE_URL, getDb } from './src/lib/server/db';
import { appOnPostgres, closeAppStore, openAppStore } from './src/lib/server/db/store';
import { startCheckpointer, type Checkpointer } from './src/lib/server/db/checkpointer';
import { startReadThread, stopReadThread } from './src/lib/server/reads/thread';
import { useParseThread } from './src/lib/server/imports/parse-thread';
import { startJobs } from './src/lib/server/shared/jobs';
import { systemClock } from './src/lib/server/shared/clock';
import { warmDashboard } from './src/lib/server/dashboard/figures';
import {
	batchLogLines,
	log,
	withRequestContext,
	type RequestContext
} from './src/lib/server/shared/log';
import {
	collectDefaultMetrics,
	countRedisWith,
	countSocketsWith,
	observeHttpRequest,
	observePush
} from './src/lib/server/shared/metrics';
import { opsEndpoints, type EarlyHandler } from './src/lib/server/shared/ops';
import { handleFastSales } from './src/lib/server/api/fast-sales';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '0.0.0.0';
// adapter-node rejects form posts whose Origin differs from ORIGIN; default to what the demo uses.
process.env.ORIGIN ??= `http://localhost:${port}`;
// Sales imports post whole CSV files; adapter-node's default limit is 512 KB.
process.env.BODY_SIZE_LIMIT ??= '50M';
// A write lock held by another process (a backup, the CLI) must not stall every request: SQLite
// waits this long on the event loop, then writes retry after yielding (db/index.ts).
process.env.DB_BUSY_TIMEOUT_MS ??= '100';

// The access log writes a line per request: in batches here (shared/log.ts).
batchLogLines();
// Open and migrate before the first request: SQLite's file, or the PostgreSQL pool that
// DATABASE_URL names (docs/postgres.md, "Running on PostgreSQL").
const store = await openAppStore();
// On PostgreSQL what still needs SQLite's connection is not started: each says so once.
const onPostgres = appOnPostgres();
const notStarted = (what: string) =>
	log.warn(`PostgreSQL: ${what} not available on PostgreSQL yet, not started`);
// Heavy reads (contest format views, sprint decisions, the dashboard's figures) run in a thread
// of their own on a second connection, off the event loop (reads/thread.ts); SQLite's only (on
// PostgreSQL the pool is the read path). Started before the handler's modules load, so that its
// start (the Worker, its code, its connection) runs on another core meanwhile, and the dashboard
// listen asks of it does not wait for it (docs/benchmarks.md, "The read thread's boot").
// Without a build those reads run inline.
if (!onPostgres)
	startReadThread(
		fileURLToPath(new URL('./read-thread.js', import.meta.url)),
		process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL
	);
collectDefaultMetrics();
// 'honorboard:handler' is build/handler.js, which adapter-node writes beside build/server.js.
const { handler } = await import('honorboard:handler');

// REDIS_URL: this node shares its live sockets with the other nodes through Redis
// (docs/scale-out.md). A Redis that does not answer stops the start: a node running alone would
// look healthy while its boards missed every sale the other nodes took.
let redis: RedisLink | undefined;
const redisUrl = process.env.REDIS_URL?.trim();
if (redisUrl) {
	try {
		redis = await connectRedis(redisUrl);
	} catch (error) {
		if (!(error instanceof RedisUnavailable)) throw error;
		log.error(`${error.message}: not starting (REDIS_URL)`);
		process.exit(1);
	}
}

let stopping = false;
/**
 * How long after listening the read thread is asked for the default dashboard (see listen): at
 * once, so that it computes while the thread's own start has just finished and the first
 * executive is still signing in. A second later (as before), an executive who opened the
 * dashboard right after a start waited for the thread's first computation: 246 ms at 200,000
 * sales where 3 s after the start it took 140 ms (docs/benchmarks.md, "bench:dashboard").
 */
const DASHBOARD_WARM_DELAY_MS = 0;

// HONORBOARD_FANOUT=process: the live sockets live in a second process (realtime/fanout.ts), so
// that a push to thousands of watchers and the API's writes each have a core. Otherwise
// Socket.IO shares this process (the default: small installs, tests, the dev server).
let sockets = 0;
// With both, the fan-out process holds the sockets and its own Redis link (the adapter): this
// one keeps only its client, so that /readyz can tell whether Redis answers. On PostgreSQL the
// child reads through a pool of its own (fanout-process.ts).
const fanout = fanoutProcessWanted()
	? new FanoutProcess({
			entry: fileURLToPath(new URL('./fanout.js', import.meta.url)),
			onSockets: (count) => (sockets = count),
			// The child timed the push; observed here, where /metrics is served.
			onPushed: (seconds) => observePush(performance.now() - seconds * 1000)
		})
	: null;

// Handlers that answer before SvelteKit (no session, no page rendering), in order. Each returns
// true when it answered. Add a lean endpoint here with one line.
// POST /api/v1/sales, the hot path, goes without SvelteKit's per-request work (api/fast-sales.ts)
// and before compression (below).
// With the fan-out process, the adapter's link to Redis is the child's: readiness asks both.
const redisLink = redis;
const earlyHandlers: EarlyHandler[] = [
	opsEndpoints(() => stopping, {
		redisUp: redisLink && (() => redisLink.isUp() && (!fanout || fanout.redisUp())),
		fanoutUp: fanout ? () => fanout.alive() : undefined
	})
];
if (redisLink) countRedisWith(() => (fanout ? fanout.redisStats() : redisLink.stats()));

// gzip/brotli for pages, JSON and assets, unless a proxy in front does it
// (HONORBOARD_COMPRESSION=off). Every write is flushed, so that a streamed page or a CSV
// download still arrives as it is written.
const compressionOff = /^(0|off|false|no)$/i.test(process.env.HONORBOARD_COMPRESSION ?? '');
const compress = compressionOff
	? null
	: compression({
			flush: zlib.Z_SYNC_FLUSH,
			brotli: { flush: zlib.BROTLI_OPERATION_FLUSH }
		});

/** The caller's X-Request-Id when it is a sane token, else a new one. */
function requestId(header: string | string[] | undefined): string {
	const given = Array.isArray(header) ? header[0] : header;
	return given && /^[\w.:@/+=-]{1,128}$/.test(given) ? given : randomUUID();
}

/** A path fit for the log: no query string, no secret in the path (invite, reset, TV links). */
function loggedPath(url: string | undefined): string {
	const whole = url ?? '/';
	const query = whole.indexOf('?');
	const path = query === -1 ? whole : whole.slice(0, query);
	// Only these three carry a secret: the API's paths (every sale) skip the replace.
	if (!SECRET_PATH_START.test(path)) return path;
	return path.replace(/^\/(invite|reset|tv)\/[^/]+/, '/$1/[token]');
}
const SECRET_PATH_START = /^\/(invite|reset|tv)\//;

// Read once: process.env is a lookup in the C++ environment on every access (~1 % of a replayed
// sale's CPU when read per request).
let warnedProxy = Boolean(process.env.ADDRESS_HEADER);
function warnProxyOnce(req: IncomingMessage) {
	if (warnedProxy || !req.headers['x-forwarded-for']) return;
	warnedProxy = true;
	log.warn(
		'Requests carry X-Forwarded-For but ADDRESS_HEADER is not set: every visitor appears to ' +
			'come from the proxy, and sign-in limits apply to all of them together. Set ' +
			'ADDRESS_HEADER=X-Forwarded-For (and XFF_DEPTH) when a proxy you trust sets it.'
	);
}

function accessLog(req: IncomingMessage, res: ServerResponse, context: RequestContext, t0: number) {
	const seconds = (performance.now() - t0) / 1000;
	// Files served from build/client never reach SvelteKit's hooks: they have no route.
	const route = context.route ?? '(static)';
	observeHttpRequest(route, req.method ?? 'GET', res.statusCode, seconds);
	log.info(
		{
			reqId: context.reqId,
			method: req.method,
			path: loggedPath(req.url),
			route,
			status: res.statusCode,
			ms: Math.round(seconds * 10_000) / 10,
			...(res.writableFinished ? {} : { aborted: true })
		},
		'request'
	);
}

const server = createServer((req, res) => {
	const t0 = performance.now();
	const context: RequestContext = { reqId: requestId(req.headers['x-request-id']) };
	// During shutdown every response closes its connection, so keep-alive clients cannot
	// hold the server open by sending more requests.
	if (stopping) res.setHeader('Connection', 'close');
	warnProxyOnce(req);
	res.once('close', () => accessLog(req, res, context, t0));
	withRequestContext(context, () => {
		// The sales endpoint first, outside compression: its answers are far below what
		// compression would shrink (1 KB), and wrapping every response cost ~3 % of its CPU.
		// It writes X-Request-Id with its answer's other headers, in one writeHead: a header set
		// before it sends writeHead through setHeader for each of them (~2 % of a replay's CPU).
		if (handleFastSales(req, res)) return;
		res.setHeader('X-Request-Id', context.reqId);
		// Socket.IO's long-polling, when its sockets live in the fan-out process.
		if (fanout?.proxy(req, res)) return;
		const next = () => {
			for (const early of earlyHandlers) if (early(req, res)) return;
			handler(req, res);
		};
		if (compress) compress(req as never, res as never, next);
		else next();
	});
});

// Upgraded connections (WebSockets) are not the HTTP server's to close: tracked for shutdown.
const upgraded = new Set<Socket>();
if (fanout) {
	server.on('upgrade', (req, socket: Socket, head: Buffer) => {
		if (req.url?.startsWith(SOCKET_IO_PATH)) fanout.upgrade(req, socket, head);
		else socket.destroy();
	});
	setPublisher(fanout);
	onSessionsEnded((ended) => fanout.sessionsEnded(ended));
} else {
	server.on('upgrade', (_req, socket: Socket) => {
		upgraded.add(socket);
		socket.once('close', () => upgraded.delete(socket));
	});
}

// The live boards' sockets, unless the fan-out process holds them, reading through the app's
// store on either database.
const io = fanout ? null : attachRealtime(server, { redis, store });
// The fan-out process's link is its own; this one's is for /readyz alone.
const readinessOnlyRedis = fanout ? redis : undefined;
countSocketsWith(() => io?.sockets.sockets.size ?? sockets);
let stopJobs: (() => Promise<void>) | undefined;
// The jobs' releases (the scheduler's lease, the imports) once stopping: awaited before closing.
let jobsReleased: Promise<void> = Promise.resolve();
let checkpointer: Checkpointer | undefined;

server.listen(port, host, () => {
	log.info(`Honorboard is running at ${process.env.ORIGIN}`);
	// Background work starts once the server answers, never before.
	if (stopping) return;
	if (onPostgres) {
		// The read and checkpoint threads are SQLite's (a second connection to the file, the
		// WAL's checkpoints); on PostgreSQL the pool is the read path and the server checkpoints.
		notStarted('the read thread (the dashboard and format views off the event loop)');
		stopJobs = startJobs(store);
		return;
	}
	// Imports read their files' rows in a thread of their own while they write (imports/
	// parse-thread.ts); a thread per import, started when one is.
	useParseThread(fileURLToPath(new URL('./import-parse-thread.js', import.meta.url)));
	// WAL checkpoints (the copy of committed pages into the file, and its fsyncs) on a connection
	// of their own in a thread, instead of in the commit that crosses SQLite's threshold.
	checkpointer = startCheckpointer(
		fileURLToPath(new URL('./checkpoint-thread.js', import.meta.url)),
		process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
		getDb().$client
	);
	stopJobs = startJobs(store);
	// The thread computes the default dashboard once. On the event loop this is two small reads
	// and a message: the timer only lets requests already waiting at listen go first.
	const warm = setTimeout(() => {
		warmDashboard(getDb(), systemClock).catch((error) =>
			log.warn({ err: error }, 'warming the dashboard failed')
		);
	}, DASHBOARD_WARM_DELAY_MS);
	warm.unref();
});

/**
 * The jobs' last writes, the checkpoint thread's last checkpoint, then the server's connection
 * (the last one).
 */
async function closeDatabase() {
	await jobsReleased;
	await checkpointer?.close();
	await closeAppStore();
}

/**
 * SHUTDOWN_DRAIN_MS: how long a stopping node keeps serving, /readyz answering 503, before it
 * closes (default 0). Behind a proxy that health-checks the nodes (compose.scale.yaml's Caddy, every
 * 5 s) the proxy sees the 503 and sends nothing new; closing at once instead made the request a
 * proxy had just sent on a keep-alive connection answer 502 (tests/integration/scale-proxy.test.ts).
 */
const drainMs = Math.max(0, Number(process.env.SHUTDOWN_DRAIN_MS) || 0);

let draining: NodeJS.Timeout | undefined;

function shutdown(signal: string) {
	// A second signal during the drain closes at once.
	if (draining) {
		clearTimeout(draining);
		draining = undefined;
		return close(signal);
	}
	if (stopping) return;
	stopping = true;
	if (drainMs === 0) return close(signal);
	log.info(`${signal} received: /readyz answers 503; closing in ${drainMs} ms`);
	draining = setTimeout(() => {
		draining = undefined;
		close(signal);
	}, drainMs);
}

function close(signal: string) {
	log.info(`${signal} received: finishing in-flight requests and closing`);
	const force = setTimeout(() => {
		log.error('Shutdown took too long; exiting');
		process.exit(1);
	}, 10_000);
	force.unref();
	jobsReleased = stopJobs?.() ?? jobsReleased;
	stopReadThread();
	// Connections that were busy when the signal came become idle once their response is out.
	const sweep = setInterval(() => server.closeIdleConnections(), 100);
	sweep.unref();
	server.closeIdleConnections();
	if (fanout) {
		// The fan-out process closes its sockets and exits; this one once its requests are done.
		const closed = new Promise<void>((done) => server.close(() => done()));
		void Promise.all([closed, fanout.stop(), readinessOnlyRedis?.close()])
			.then(closeDatabase)
			.then(() => process.exit(0));
		return;
	}
	// Every socket is told to disconnect and the engine closes its transports (a WebSocket gets
	// its close frame, a pending long-poll its answer)… With Redis the sockets are closed
	// without the word to disconnect: their sessions are kept there, and the clients reconnect
	// (to this node started again, or another) and recover them. Through the adapter,
	// disconnectSockets would also reach the sockets of every other node.
	// Without the fan-out process (above) the sockets are this process's own.
	const sockets = io!;
	if (!redis) sockets.disconnectSockets(true);
	sockets.close(() => void closeDatabase().then(() => process.exit(0)));
	// …and a client that does not finish the close handshake (a stalled script, a client that
	// never reads) is cut off after a moment instead of holding the exit.
	setTimeout(() => {
		for (const socket of upgraded) socket.destroy();
	}, 500).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
