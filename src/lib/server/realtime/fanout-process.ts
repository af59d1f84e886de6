// The fan-out process (HONORBOARD_FANOUT=process): bundled to build/fanout.js and forked by
// server.ts with the path of a Unix socket as its argument. It holds every Socket.IO connection:
// it authenticates them and answers watch, snapshot and standing from its own (reading) database
// connection, and builds and sends the pushes. The writer hands it WebSocket connections and
// publications over IPC and proxies long-polling requests to the Unix socket (fanout.ts).
// On SQLite that connection is its own to the file, with a read thread for the format views; on
// PostgreSQL (DATABASE_URL=postgres://…) a pool of its own, read as the server's in-process
// sockets read it (attach.ts and publish.ts given the store).
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { unlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DATABASE_URL } from '../db';
import { appOnPostgres, closeAppStore, openAppStore, type Store } from '../db/store';
import { startReadThread } from '../reads/thread';
import { sessionsEnded } from '../auth/session-events';
import { log } from '../shared/log';
import { attachRealtime } from './attach';
import { connectRedis, RedisUnavailable, type RedisLink } from './redis';
import { markStandingMoved } from './changed';
import type { FromFanout, ToFanout } from './fanout';
import { notifyLeaderboard, publishActivity, publishBadge, publishSeason } from './publish';

const socketPath = process.argv[2];
if (!socketPath || !process.send) {
	log.error('build/fanout.js is started by build/server.js (HONORBOARD_FANOUT=process)');
	process.exit(2);
}

function tell(message: FromFanout): void {
	if (process.connected) process.send!(message);
}

// No page is served here: Socket.IO answers its own path, everything else is not found.
const server = createServer((_req, res) => res.writeHead(404).end());
const handedOver = new Set<Socket>();
// The pushes' format views are built here, so the read thread is this process's. It is SQLite's
// (a second connection to the file): on PostgreSQL the pool is the read path.
if (!appOnPostgres())
	startReadThread(
		fileURLToPath(new URL('./read-thread.js', import.meta.url)),
		process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL
	);
// SQLite's file (getDb), or a pool of this process's own: the writer migrated before forking it,
// so the migrator finds nothing to do here. A database that does not answer stops this process;
// the writer starts another a second later (fanout.ts).
let store: Store;
try {
	store = await openAppStore();
} catch (error) {
	log.error({ err: error }, 'The database did not answer: the live fan-out process stops');
	process.exit(1);
}
// REDIS_URL: the sockets are here, so the link to the other nodes is too (redis.ts).
let redis: RedisLink | undefined;
if (process.env.REDIS_URL?.trim()) {
	try {
		redis = await connectRedis(process.env.REDIS_URL.trim());
	} catch (error) {
		if (!(error instanceof RedisUnavailable)) throw error;
		log.error(`${error.message}: the live fan-out process stops (REDIS_URL)`);
		process.exit(1);
	}
}
/**
 * The push window here is one push's smoothed cost, not publish.ts's two: no API request waits
 * on this loop, so pushes may take half of it (bench:live at 5,000 watchers, four pairs: sale →
 * watcher p99 0.42–0.88× factor 2's; docs/benchmarks.md, "A push to 5,000 watchers: frames
 * straight to the sockets").
 */
const WINDOW_FACTOR = 1;
const io = attachRealtime(server, {
	store,
	redis,
	pushed: (seconds) => tell({ t: 'pushed', seconds }),
	windowFactor: WINDOW_FACTOR
});

/** This process's link to Redis, for the writer's /readyz and /metrics; also says it is alive. */
function tellLink(): void {
	tell({ t: 'link', redis: redis ? { up: redis.isUp(), ...redis.stats() } : null });
}

let lastCount = -1;
const countTimer = setInterval(() => {
	const count = io.sockets.sockets.size;
	if (count !== lastCount) tell({ t: 'sockets', count });
	lastCount = count;
	tellLink();
}, 1000);
countTimer.unref();

let stopping = false;
function stop(): void {
	if (stopping) return;
	stopping = true;
	clearInterval(countTimer);
	// With Redis the sockets close without the word to disconnect, so that their sessions are
	// kept and the clients recover them on reconnecting; and through the adapter that word would
	// reach the sockets of every node (server.ts does the same).
	if (!redis) io.disconnectSockets(true);
	io.close(() => void closeAppStore().finally(() => process.exit(0)));
	// A client that does not finish the close handshake is cut off instead of holding the exit.
	setTimeout(() => {
		for (const socket of handedOver) socket.destroy();
	}, 500).unref();
	// Whatever still holds the loop (a writer that died mid-handover), this process never
	// outlives its writer by more than a few seconds.
	// On SQLite closeAppStore has closed the connection by the time it returns its promise; a
	// pool's goodbye is not waited for.
	setTimeout(() => {
		void closeAppStore();
		process.exit(0);
	}, 3000);
}

process.on('message', (message: ToFanout, handle?: unknown) => {
	switch (message.t) {
		case 'upgrade': {
			const socket = handle as Socket | undefined;
			if (!socket) return;
			if (stopping) return void socket.destroy();
			handedOver.add(socket);
			socket.once('close', () => handedOver.delete(socket));
			// The request as the writer read it, replayed into this server's parser (the way
			// @socket.io/sticky hands a connection to a worker).
			server.emit('connection', socket);
			socket.emit('data', Buffer.from(message.request, 'base64'));
			socket.resume();
			return;
		}
		case 'changed':
			for (const userId of message.moved) markStandingMoved(message.seasonId, userId);
			for (const item of message.activity) publishActivity(item);
			notifyLeaderboard(message.seasonId);
			return;
		case 'badge':
			return publishBadge(message.event);
		case 'season':
			return publishSeason(message.event);
		case 'sessionsEnded':
			return sessionsEnded(message.ended);
		case 'stop':
			return stop();
	}
});
// The writer stops us with a message; a signal to the whole group (Ctrl-C) or a writer that
// died does the same.
process.on('disconnect', stop);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

try {
	unlinkSync(socketPath);
} catch {
	// No socket left by an earlier run.
}
server.listen(socketPath, () => {
	log.info('Live fan-out process ready');
	tellLink();
	tell({ t: 'ready' });
});
