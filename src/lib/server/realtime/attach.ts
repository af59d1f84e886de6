import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import * as z from 'zod';
import { getDb, type Db } from '../db';
import { sqliteStore, type Store } from '../db/store';
import {
	sessionTokenFromCookieHeader,
	validateSessionToken,
	type SessionUser
} from '../auth/session';
import { readBoardTop, readStanding } from '../boards/leaderboard';
import { validateApiToken } from '../auth/api-token';
import { AppError } from '../shared/errors';
import { log } from '../shared/log';
import { currentReadThread } from '../reads/thread';
import { readSeason } from '../seasons/queries';
import { onSessionsEnded, type SessionsEnded } from '../auth/session-events';
import { sessionAlive, readMayWatch, tokenAlive } from './access';
import { checkDisplayToken, isDisplayRevoked } from '../displays/tokens';
import {
	seasonOfRoom,
	seasonBadgeRoom,
	seasonRoom,
	type ClientToServerEvents,
	type ServerToClientEvents
} from '../../realtime/events';
import { Publisher, setPublisher, type PublisherOptions } from './publish';
import { ClusterPublisher, endSessionsEverywhere, type InterServerEvents } from './cluster';
import type { RedisLink } from './redis';

export interface SocketData {
	/** A signed-in person (as of the last check) and their session, or… */
	user?: SessionUser;
	sessionId?: string;
	/** …a TV display, which may watch its one season only, or… */
	display?: { id: number; seasonId: number };
	/** …an API token (`auth: { token }`), which may watch any season that is not a draft. */
	token?: { id: number; name: string };
}

/** Sockets checked between two yields of the periodic check. */
const CHECK_SLICE = 250;

const watchPayload = z.object({ seasonId: z.number().int().positive() });

/**
 * Attaches Socket.IO to an HTTP server: session-cookie auth, season rooms, the publisher. With
 * `redis` (REDIS_URL, redis.ts) this node shares its sockets with the other nodes (cluster.ts).
 * On the app's SQLite connection (`db`, or the app's) unless given a `store` (PostgreSQL's pool).
 */
export function attachRealtime(
	httpServer: HttpServer,
	options: {
		db?: Db;
		store?: Store;
		revocationCheckMs?: number;
		redis?: RedisLink;
	} & PublisherOptions = {}
): Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData> {
	const store: Store = options.store ?? sqliteStore(options.db ?? getDb());
	const io = new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>(
		httpServer,
		{ serveClient: false, maxHttpBufferSize: 16 * 1024, ...options.redis?.serverOptions }
	);

	io.use((socket, next) => {
		const displayToken = (socket.handshake.auth as { displayToken?: unknown } | undefined)
			?.displayToken;
		if (typeof displayToken === 'string') {
			return void checkDisplayToken(store, displayToken).then(
				(check) => {
					if (!check.ok)
						return next(new Error(check.reason === 'revoked' ? 'display_revoked' : 'unauthorized'));
					socket.data.display = { id: check.display.id, seasonId: check.display.seasonId };
					next();
				},
				(error: unknown) => {
					log.error({ err: error }, "reading a socket's display failed");
					next(new Error('unavailable'));
				}
			);
		}
		const apiTokenValue = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
		if (typeof apiTokenValue === 'string') {
			return void validateApiToken(store, apiTokenValue).then(
				(principal) => {
					if (!principal) return next(new Error('unauthorized'));
					socket.data.token = { id: principal.tokenId, name: principal.name };
					next();
				},
				(error: unknown) => {
					// Revoked or expired: the same codes as the HTTP API's 401.
					if (error instanceof AppError) return next(new Error(error.code));
					log.error({ err: error }, "reading a socket's API token failed");
					next(new Error('unavailable'));
				}
			);
		}
		const token = sessionTokenFromCookieHeader(socket.handshake.headers.cookie);
		if (!token) return next(new Error('unauthorized'));
		validateSessionToken(store, token).then(
			({ user, session }) => {
				if (!user) return next(new Error('unauthorized'));
				socket.data.user = user;
				socket.data.sessionId = session.id;
				next();
			},
			(error: unknown) => {
				// The handshake is refused; the reason stays in the log, not in the client's hands.
				log.error({ err: error }, "reading a socket's session failed");
				next(new Error('unavailable'));
			}
		);
	});

	io.on('connection', (socket) => {
		socket.on('watch', async (payload, ack) => {
			if (typeof ack !== 'function') return;
			const parsed = watchPayload.safeParse(payload);
			if (!parsed.success) {
				return ack({
					error: { code: 'invalid_payload', message: 'watch needs { seasonId: number }' }
				});
			}
			const { seasonId } = parsed.data;
			if (socket.data.display && socket.data.display.seasonId !== seasonId) {
				return ack({ error: { code: 'forbidden', message: 'This display shows another season' } });
			}
			if (socket.data.display && (await isDisplayRevoked(store, socket.data.display.id))) {
				ack({ error: { code: 'unauthorized', message: 'This display was revoked' } });
				return void socket.disconnect(true);
			}
			// A person is checked again at every watch: the session may have ended, the role changed.
			if (socket.data.sessionId) {
				const user = await sessionAlive(store, socket.data.sessionId, Date.now());
				if (!user) {
					ack({ error: { code: 'unauthorized', message: 'The session has ended: sign in again' } });
					return void socket.disconnect(true);
				}
				socket.data.user = user;
			}
			const season = await readSeason(store, seasonId);
			if (!season || season.status === 'draft') {
				return ack({ error: { code: 'not_found', message: `No season ${seasonId}` } });
			}
			if (socket.data.user && !(await readMayWatch(store, socket.data.user, seasonId))) {
				return ack({
					error: { code: 'forbidden', message: 'You are not taking part in this season' }
				});
			}
			if (socket.data.token && !(await tokenAlive(store, socket.data.token.id, Date.now()))) {
				ack({ error: { code: 'unauthorized', message: 'This API token was revoked or expired' } });
				return void socket.disconnect(true);
			}
			// The views first (off the event loop when the room has none yet); the room is joined
			// and the board read after, so a push may reach this socket before its ack: the client
			// applies it to the board its page loaded, or asks for a snapshot on a version gap, and
			// then finds this ack's board older and keeps what it has (board-state.ts).
			const formats = await publisher.formatsForWatch(seasonId);
			if (!socket.connected) return;
			socket.join(seasonRoom(seasonId));
			if (socket.data.token) socket.join(seasonBadgeRoom(seasonId));
			const viewerId = socket.data.user?.id;
			const snapshot = await readBoardTop(store, seasonId, { viewerId });
			if (!snapshot) return ack({ error: { code: 'not_found', message: `No season ${seasonId}` } });
			const { me: _me, ...shared } = snapshot;
			void _me;
			publisher.primed(shared);
			ack({ ...snapshot, formats });
		});
		// A client that missed a push (a version gap) asks for the current top again.
		socket.on('snapshot', async (payload, ack) => {
			if (typeof ack !== 'function') return;
			const parsed = watchPayload.safeParse(payload);
			if (!parsed.success || !socket.rooms.has(seasonRoom(parsed.data.seasonId))) {
				return ack({ error: { code: 'not_watching', message: 'Watch the season first' } });
			}
			const { seasonId } = parsed.data;
			const formats = await publisher.formatsForWatch(seasonId);
			const viewerId = socket.data.user?.id;
			const snapshot = await readBoardTop(store, seasonId, { viewerId });
			if (!snapshot) return ack({ error: { code: 'not_found', message: `No season ${seasonId}` } });
			ack({ kind: 'snapshot', ...snapshot, formats });
		});
		// A viewer outside the top asks for their own rank when a push says they may have moved.
		socket.on('standing', async (payload, ack) => {
			if (typeof ack !== 'function') return;
			const parsed = watchPayload.safeParse(payload);
			if (!parsed.success || !socket.rooms.has(seasonRoom(parsed.data.seasonId))) {
				return ack({ error: { code: 'not_watching', message: 'Watch the season first' } });
			}
			const user = socket.data.user;
			const { seasonId } = parsed.data;
			ack({ me: user ? await readStanding(store, seasonId, user.id) : null });
		});
		socket.on('unwatch', (payload) => {
			const parsed = watchPayload.safeParse(payload);
			if (!parsed.success) return;
			socket.leave(seasonRoom(parsed.data.seasonId));
			socket.leave(seasonBadgeRoom(parsed.data.seasonId));
		});
	});

	// A display revoked from the CLI (another process), and a session that expired or was ended
	// by another process, are cut off at the next check. Each session, token, display and
	// (person, season) is looked up once per round, however many sockets share it (tabs, a wall
	// of TVs), and the round yields every CHECK_SLICE sockets, so that thousands of sockets never
	// hold the event loop for long.
	let closed = false;
	let checking = false;
	const checkSockets = async () => {
		if (checking) return;
		checking = true;
		try {
			const now = Date.now();
			const sessions = new Map<string, Promise<SessionUser | null>>();
			const tokens = new Map<number, Promise<boolean>>();
			const displays = new Map<number, Promise<boolean>>();
			const watches = new Map<string, Promise<boolean>>();
			const memo = <K, V>(cache: Map<K, V>, key: K, read: () => V): V => {
				if (!cache.has(key)) cache.set(key, read());
				return cache.get(key)!;
			};
			let seen = 0;
			for (const socket of [...io.sockets.sockets.values()]) {
				if (++seen % CHECK_SLICE === 0) await new Promise((done) => setImmediate(done));
				if (closed) return;
				if (!socket.connected) continue;
				const shown = socket.data.display;
				if (shown && (await memo(displays, shown.id, () => isDisplayRevoked(store, shown.id))))
					socket.disconnect(true);
				const token = socket.data.token;
				if (token && !(await memo(tokens, token.id, () => tokenAlive(store, token.id, now))))
					socket.disconnect(true);
				const sessionId = socket.data.sessionId;
				if (!sessionId) continue;
				const person = await memo(sessions, sessionId, () => sessionAlive(store, sessionId, now));
				if (!person) {
					socket.disconnect(true);
					continue;
				}
				// Removed from a season (or no longer staff) since the watch: stop its pushes.
				socket.data.user = person;
				for (const room of socket.rooms) {
					const seasonId = seasonOfRoom(room);
					if (!seasonId) continue;
					const key = `${person.id}:${person.role}:${seasonId}`;
					const may = await memo(watches, key, () => readMayWatch(store, person, seasonId));
					if (!may) socket.leave(room);
				}
			}
		} finally {
			checking = false;
		}
	};
	const revocationCheck = setInterval(
		() =>
			void checkSockets().catch((error) => {
				if (!closed) log.error({ err: error }, 'the periodic socket check failed');
			}),
		options.revocationCheckMs ?? Number(process.env.HONORBOARD_SOCKET_CHECK_MS || 10_000)
	);
	revocationCheck.unref();

	// A sign-out, a password reset or an expiry in this process cuts that session's sockets off
	// at once, on every node when there are several.
	const disconnectHere = (ended: SessionsEnded) => {
		for (const socket of io.sockets.sockets.values()) {
			const gone =
				'sessionId' in ended
					? socket.data.sessionId === ended.sessionId
					: socket.data.user?.id === ended.userId;
			if (gone) socket.disconnect(true);
		}
	};
	const stopListening = onSessionsEnded(
		options.redis ? endSessionsEverywhere(io, disconnectHere) : disconnectHere
	);

	// The format views of pushes are built by the read thread while the server runs one
	// (reads/thread.ts), else through the store (publish.ts).
	const publisher = new Publisher(io, store, {
		...options,
		formatBuilder: options.formatBuilder ?? currentReadThread
	});
	if (options.redis) {
		const cluster = new ClusterPublisher(io, publisher);
		options.redis.onResync((outage) => cluster.resync(outage.since));
		setPublisher(cluster);
	} else setPublisher(publisher);
	// Closing Socket.IO (graceful shutdown, tests) also stops the publisher's timers.
	const close = io.close.bind(io);
	io.close = (fn) => {
		closed = true;
		clearInterval(revocationCheck);
		stopListening();
		publisher.close();
		setPublisher(undefined);
		// The sockets' sessions are written to Redis as they close (recovery): the link is
		// closed after them, which sends what is still queued.
		return close((error) => {
			if (!options.redis) return fn?.(error);
			void options.redis.close().then(() => fn?.(error));
		});
	};
	return io;
}
