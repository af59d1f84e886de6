import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { z } from 'zod';
import { getDb, type Db } from '../db';
import {
	sessionTokenFromCookieHeader,
	validateSessionToken,
	type SessionUser
} from '../auth/session';
import { getLeaderboard } from '../boards/leaderboard';
import { getSeason } from '../seasons/queries';
import { checkDisplayToken, isDisplayRevoked } from '../displays/tokens';
import {
	seasonRoom,
	type ClientToServerEvents,
	type ServerToClientEvents
} from '../../realtime/events';
import { Publisher, setPublisher, type PublisherOptions } from './publish';

export interface SocketData {
	/** A signed-in person, or… */
	user?: SessionUser;
	/** …a TV display, which may watch its one season only. */
	display?: { id: number; seasonId: number };
}

const watchPayload = z.object({ seasonId: z.number().int().positive() });

/** Attaches Socket.IO to an HTTP server: session-cookie auth, season rooms, the publisher. */
export function attachRealtime(
	httpServer: HttpServer,
	options: { db?: Db; revocationCheckMs?: number } & PublisherOptions = {}
): Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData> {
	const db = options.db ?? getDb();
	const io = new Server<
		ClientToServerEvents,
		ServerToClientEvents,
		Record<string, never>,
		SocketData
	>(httpServer, { serveClient: false, maxHttpBufferSize: 16 * 1024 });

	io.use((socket, next) => {
		const displayToken = (socket.handshake.auth as { displayToken?: unknown } | undefined)
			?.displayToken;
		if (typeof displayToken === 'string') {
			const check = checkDisplayToken(db, displayToken);
			if (!check.ok)
				return next(new Error(check.reason === 'revoked' ? 'display_revoked' : 'unauthorized'));
			socket.data.display = { id: check.display.id, seasonId: check.display.seasonId };
			return next();
		}
		const token = sessionTokenFromCookieHeader(socket.handshake.headers.cookie);
		const { user } = token ? validateSessionToken(db, token) : { user: null };
		if (!user) return next(new Error('unauthorized'));
		socket.data.user = user;
		next();
	});

	io.on('connection', (socket) => {
		socket.on('watch', (payload, ack) => {
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
			const season = getSeason(db, seasonId);
			if (!season || season.status === 'draft') {
				return ack({ error: { code: 'not_found', message: `No season ${seasonId}` } });
			}
			socket.join(seasonRoom(seasonId));
			ack(getLeaderboard(db, seasonId)!);
		});
		socket.on('unwatch', (payload) => {
			const parsed = watchPayload.safeParse(payload);
			if (parsed.success) socket.leave(seasonRoom(parsed.data.seasonId));
		});
	});

	// A display revoked from the CLI (another process) is cut off at the next check.
	const revocationCheck = setInterval(() => {
		for (const socket of io.sockets.sockets.values()) {
			const shown = socket.data.display;
			if (shown && isDisplayRevoked(db, shown.id)) socket.disconnect(true);
		}
	}, options.revocationCheckMs ?? 10_000);
	revocationCheck.unref();

	const publisher = new Publisher(io, db, options);
	setPublisher(publisher);
	// Closing Socket.IO (graceful shutdown, tests) also stops the publisher's timers.
	const close = io.close.bind(io);
	io.close = (fn) => {
		clearInterval(revocationCheck);
		publisher.close();
		setPublisher(undefined);
		return close(fn);
	};
	return io;
}
