// Socket.IO against the production build: cookie auth, `watch`, pushes after API sales; on the
// seeded SQLite file and on its copy in a throwaway PostgreSQL database (server-db.ts).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server';
import { postSale } from '../helpers/sales';
import {
	apiTokenFor,
	connect,
	signIn,
	socketFor,
	waitFor,
	withDb,
	type ClientSocket,
	type SeededDb
} from '../helpers/seeded';
import {
	DIALECTS,
	seedServerDbOn,
	serverEnvFor,
	sessionTokenOn,
	type ServerDb
} from '../helpers/server-db';
import { makeUser } from '../helpers/factories';
import { hashToken, SESSION_COOKIE } from '../../src/lib/server/auth/session';
import { applyPush } from '../../src/lib/realtime/board-state';
import { createApiToken, revokeApiToken } from '../../src/lib/server/auth/api-token';
import { io as ioClient } from 'socket.io-client';
import { and, eq } from 'drizzle-orm';
import type {
	ActivityItem,
	LeaderboardPush,
	LeaderboardSnapshot,
	WatchAck
} from '../../src/lib/realtime/events';

let db: ServerDb;
let seeded: SeededDb;
let server: RunningServer;
let token: string;
let session: string;
let counter = 0;
const sockets: ClientSocket[] = [];

let manager: { id: number };

/** An API token and a manager in no season, made in the seeded file before it is served. */
async function prepare(file: SeededDb) {
	token = apiTokenFor(file.path);
	manager = await withDb(file.path, (sqlite) => makeUser(sqlite, { role: 'manager' }));
}

const sessionFor = (userId: number) => sessionTokenOn(db, userId);

/** Resolves with the reason once the server disconnects the socket. */
function disconnected(socket: ClientSocket): Promise<string> {
	return new Promise((done) => socket.once('disconnect', (reason) => done(reason)));
}

afterEach(() => {
	for (const socket of sockets.splice(0)) socket.disconnect();
});

async function connected(sessionToken = session): Promise<ClientSocket> {
	const socket = socketFor(server.url, sessionToken);
	sockets.push(socket);
	await connect(socket);
	return socket;
}

function watch(socket: ClientSocket, payload: unknown): Promise<WatchAck> {
	return socket.timeout(5_000).emitWithAck('watch', payload as { seasonId: number });
}

/** Records every push a socket receives from now on, and the feed items they carry. */
function record(socket: ClientSocket) {
	const events = { leaderboard: [] as LeaderboardPush[], activity: [] as ActivityItem[] };
	socket.on('leaderboard', (push) => {
		events.leaderboard.push(push);
		events.activity.push(...(push.activity ?? []));
	});
	return events;
}

/** A new sale (an externalId of its own) by `sellerEmail`, acknowledged with 201. */
async function sell(sellerEmail: string, sku = 'PHONE', quantity = 1) {
	const answer = await postSale<{ sale: { id: number; points: number }; version: number }>(
		server.url,
		token,
		{ externalId: `rt-${++counter}`, seller: sellerEmail, sku, quantity }
	);
	expect(answer.status).toBe(201);
	return answer.body;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(DIALECTS)('live sockets on %s', (dialect) => {
	beforeAll(async () => {
		db = await seedServerDbOn(dialect, { teams: 3, people: 6 }, prepare);
		seeded = db.seeded;
		// Sessions ended by another process (or expired) are found by the sockets' periodic check.
		server = await startServer({
			dbPath: seeded.path,
			env: { HONORBOARD_SOCKET_CHECK_MS: '300', ...serverEnvFor(db) }
		});
		session = await signIn(server.url, seeded.people[0].email);
	});

	afterAll(async () => {
		await server?.stop();
		await db?.cleanup();
	});

	describe('connection', () => {
		it.each([
			['no cookie', undefined],
			['an unknown session token', 'notavalidsessiontoken'],
			['an empty session cookie', '']
		])('refuses a socket with %s (connect_error "unauthorized")', async (_name, sessionToken) => {
			const socket = socketFor(server.url, sessionToken);
			sockets.push(socket);
			await expect(connect(socket)).rejects.toThrow('unauthorized');
			expect(socket.connected).toBe(false);
		});

		it('accepts a socket with the session cookie that /login set', async () => {
			const socket = await connected();
			expect(socket.connected).toBe(true);
		});

		it('refuses a session that has signed out', async () => {
			const other = await signIn(server.url, seeded.people[0].email);
			await connected(other);
			const logout = await fetch(`${server.url}/logout`, {
				method: 'POST',
				body: new URLSearchParams(),
				headers: {
					origin: server.url,
					cookie: `session=${other}`,
					accept: 'text/html',
					'content-type': 'application/x-www-form-urlencoded'
				},
				redirect: 'manual'
			});
			expect(logout.status).toBe(303);
			const socket = socketFor(server.url, other);
			sockets.push(socket);
			await expect(connect(socket)).rejects.toThrow('unauthorized');
		});
	});

	describe('watch', () => {
		it('acks the current snapshot { seasonId, version, individual, teams }', async () => {
			const socket = await connected();
			const ack = await watch(socket, { seasonId: seeded.seasonId });
			expect(ack).toMatchObject({ seasonId: seeded.seasonId, version: expect.any(Number) });
			const snapshot = ack as LeaderboardSnapshot;
			expect(snapshot.individual).toHaveLength(seeded.people.length);
			expect(snapshot.teams).toHaveLength(seeded.teams.length);
			expect(snapshot.individual[0]).toEqual(
				expect.objectContaining({
					rank: 1,
					id: expect.any(Number),
					name: expect.any(String),
					points: expect.any(Number),
					provisionalPoints: expect.any(Number)
				})
			);
			expect(snapshot.individual.map((e) => e.id).sort()).toEqual(
				seeded.people.map((p) => p.id).sort()
			);
		});

		const badPayloads: [string, () => unknown][] = [
			['no payload', () => undefined],
			['null', () => null],
			['an empty object', () => ({})],
			['seasonId as a string', () => ({ seasonId: String(seeded.seasonId) })],
			['a fractional seasonId', () => ({ seasonId: 1.5 })],
			['a negative seasonId', () => ({ seasonId: -1 })],
			['an unknown season', () => ({ seasonId: 999_999 })],
			['a draft season', () => ({ seasonId: seeded.draftSeasonId })],
			['a bare number', () => seeded.seasonId]
		];

		it.each(badPayloads)('answers %s with { error: { code, message } }', async (_name, payload) => {
			const socket = await connected();
			const ack = await watch(socket, payload());
			expect(ack).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
		});

		it('does not join a room after bad payloads, nor another season’s room', async () => {
			const watcher = await connected();
			const bystander = await connected();
			const otherSeason = await connected(await sessionFor(manager.id));
			expect(await watch(watcher, { seasonId: seeded.seasonId })).toHaveProperty('version');
			for (const [, payload] of badPayloads) await watch(bystander, payload());
			expect(await watch(otherSeason, { seasonId: seeded.endedSeasonId })).toHaveProperty(
				'version'
			);
			const seen = record(watcher);
			const unseen = [record(bystander), record(otherSeason)];

			const sale = await sell(seeded.people[1].email);
			await waitFor(
				() => seen.activity.length > 0 && seen.leaderboard.some((s) => s.version >= sale.version),
				5_000,
				'the watcher’s events'
			);
			await pause(400); // longer than the publisher's coalescing interval
			for (const events of unseen) {
				expect(events.leaderboard).toEqual([]);
				expect(events.activity).toEqual([]);
			}
		});

		it('stops pushing to a socket after unwatch', async () => {
			const watcher = await connected();
			const leaver = await connected();
			for (const socket of [watcher, leaver]) await watch(socket, { seasonId: seeded.seasonId });
			leaver.emit('unwatch', { seasonId: seeded.seasonId });
			await pause(100); // unwatch has no ack: let the server handle it
			const seen = record(watcher);
			const unseen = record(leaver);
			const sale = await sell(seeded.people[2].email);
			await waitFor(
				() => seen.leaderboard.some((s) => s.version >= sale.version),
				5_000,
				'the watcher’s push'
			);
			await pause(400);
			expect(unseen.leaderboard).toEqual([]);
			expect(unseen.activity).toEqual([]);
		});
	});

	describe('pushes', () => {
		it('pushes a leaderboard with the new points and an activity after an API sale', async () => {
			const socket = await connected();
			const before = (await watch(socket, { seasonId: seeded.seasonId })) as LeaderboardSnapshot;
			const seller = seeded.people[3];
			const pointsBefore = before.individual.find((e) => e.id === seller.id)!.points;
			const events = record(socket);

			const sale = await sell(seller.email, 'PHONE', 2);
			expect(sale.sale.points).toBe(100);
			await waitFor(
				() => events.leaderboard.some((s) => s.version >= sale.version),
				5_000,
				'a leaderboard push'
			);
			await waitFor(() => events.activity.length > 0, 5_000, 'an activity');

			const push = events.leaderboard.find((s) => s.version >= sale.version)!;
			expect(push.seasonId).toBe(seeded.seasonId);
			expect(push.version).toBeGreaterThan(before.version);
			expect(push.individual.find((e) => e.id === seller.id)!.points).toBe(pointsBefore + 100);
			expect(push.teams).toHaveLength(seeded.teams.length);

			expect(events.activity).toHaveLength(1);
			expect(events.activity[0]).toMatchObject({
				id: `sale:${sale.sale.id}`,
				seasonId: seeded.seasonId,
				kind: 'sale',
				userId: seller.id,
				userName: seller.displayName,
				points: 100,
				provisional: false
			});
		});

		it('coalesces a burst of 30 sales into far fewer pushes whose last one has them all', async () => {
			const socket = await connected();
			const before = (await watch(socket, { seasonId: seeded.seasonId })) as LeaderboardSnapshot;
			const seller = seeded.people[4];
			const pointsBefore = before.individual.find((e) => e.id === seller.id)!.points;
			const events = record(socket);

			const sales = await Promise.all(
				Array.from({ length: 30 }, () => sell(seller.email, 'CASE', 1))
			);
			const versions = sales.map((s) => s.version).sort((a, b) => a - b);
			// Every answer carries a version newer than the watched one, at which its sale shows.
			// Sales that arrive in the same turn share one transaction (scoring/group-commit.ts) and
			// may share its version: at most one new version per sale, never an older one.
			expect(versions[0]).toBeGreaterThan(before.version);
			const last = versions[29];
			expect(last).toBeLessThanOrEqual(before.version + 30);

			await waitFor(
				() => events.leaderboard.some((s) => s.version >= last),
				10_000,
				'the final push'
			);
			await waitFor(() => events.activity.length >= 30, 10_000, '30 activities');
			await pause(600); // nothing more should trickle in
			const pushes = events.leaderboard;
			// The window adapts to what a push costs (a few ms on this small board), so a burst spread
			// over a second is not squeezed into 250 ms slots any more: fewer pushes than sales, each
			// one newer than the last, the last one with every sale. A push that keeps the version it
			// follows brings what that board did not: the contest format views (their own window), or
			// the feed items of sales committed while the board was read (they ride in the next push).
			const boards = pushes.filter((p, i) => i === 0 || p.version > pushes[i - 1].version);
			expect(boards.length).toBeGreaterThanOrEqual(1);
			expect(boards.length).toBeLessThan(30);
			for (let i = 1; i < pushes.length; i++) {
				expect(pushes[i].version).toBeGreaterThanOrEqual(pushes[i - 1].version);
				if (pushes[i].version === pushes[i - 1].version)
					expect(
						'formats' in pushes[i] ||
							(pushes[i].activity?.length ?? 0) > 0 ||
							(pushes[i].badges?.length ?? 0) > 0
					).toBe(true);
			}
			const final = boards[boards.length - 1];
			expect(final.version).toBe(last);
			expect(final.individual.find((e) => e.id === seller.id)).toMatchObject({
				points: pointsBefore + 30 * 5,
				salesCount: (before.individual.find((e) => e.id === seller.id)!.salesCount ?? 0) + 30
			});
			expect(new Set(events.activity.map((a) => a.id)).size).toBe(30);
		});
	});

	describe('who may watch what', () => {
		it('refuses a participant a season they do not take part in, an ended one included', async () => {
			const member = await connected();
			expect(await watch(member, { seasonId: seeded.endedSeasonId })).toEqual({
				error: { code: 'forbidden', message: expect.any(String) }
			});
			const outsider = await connected(await sessionFor(seeded.outsider.id));
			expect(await watch(outsider, { seasonId: seeded.seasonId })).toEqual({
				error: { code: 'forbidden', message: expect.any(String) }
			});
			// …and the refused socket gets nothing from that season.
			const unseen = record(outsider);
			const watcher = await connected();
			await watch(watcher, { seasonId: seeded.seasonId });
			const seen = record(watcher);
			const sale = await sell(seeded.people[1].email);
			await waitFor(
				() => seen.leaderboard.some((s) => s.version >= sale.version),
				5_000,
				'the member’s push'
			);
			await pause(400);
			expect(unseen.leaderboard).toEqual([]);
			expect(unseen.activity).toEqual([]);
		});

		it('shows a participant outside every live season no board over HTTP either', async () => {
			const cookie = `${SESSION_COOKIE}=${await sessionFor(seeded.outsider.id)}`;
			const outsiderPage = await (await fetch(`${server.url}/`, { headers: { cookie } })).text();
			expect(outsiderPage).toContain('No live season right now');
			expect(outsiderPage).not.toContain(seeded.season.name);
			const memberPage = await (
				await fetch(`${server.url}/`, { headers: { cookie: `${SESSION_COOKIE}=${session}` } })
			).text();
			expect(memberPage).toContain(seeded.season.name);
		});

		it('lets a past member watch their ended season and a manager watch any season', async () => {
			const past = await connected(await sessionFor(seeded.pastMember.id));
			expect(await watch(past, { seasonId: seeded.endedSeasonId })).toHaveProperty('version');
			expect(await watch(past, { seasonId: seeded.seasonId })).toHaveProperty(
				'error.code',
				'forbidden'
			);
			const staff = await connected(await sessionFor(manager.id));
			for (const seasonId of [seeded.seasonId, seeded.endedSeasonId])
				expect(await watch(staff, { seasonId })).toHaveProperty('version');
			expect(await watch(staff, { seasonId: seeded.draftSeasonId })).toHaveProperty(
				'error.code',
				'not_found'
			);
		});
	});

	describe('when a participant leaves the season', () => {
		it('stops pushing that season to their open socket at the next check', async () => {
			const leaving = seeded.people[5];
			const socket = await connected(await sessionFor(leaving.id));
			expect(await watch(socket, { seasonId: seeded.seasonId })).toHaveProperty('version');
			const membership = await db.withStore(async ({ db, tables: { seasonMember } }) => {
				const theirs = and(
					eq(seasonMember.seasonId, seeded.seasonId),
					eq(seasonMember.userId, leaving.id)
				);
				const [row] = await db.select().from(seasonMember).where(theirs);
				await db.delete(seasonMember).where(theirs);
				return row;
			});
			try {
				// A watcher that stays, to know when a push has gone out.
				const watcher = await connected();
				await watch(watcher, { seasonId: seeded.seasonId });
				const seen = record(watcher);
				const unseen = record(socket);
				await sell(seeded.people[1].email);
				// The periodic check (300 ms here) runs before the next sale.
				await pause(1_000);
				const sale = await sell(seeded.people[1].email);
				await waitFor(
					() => seen.leaderboard.some((s) => s.version >= sale.version),
					5_000,
					'the watcher’s push'
				);
				await pause(400);
				expect(unseen.leaderboard.filter((s) => s.version >= sale.version)).toEqual([]);
				expect(socket.connected).toBe(true);
			} finally {
				await db.withStore(({ db, tables }) => db.insert(tables.seasonMember).values(membership));
			}
		});
	});

	describe('when the session ends', () => {
		it('disconnects a watching socket at sign-out, and it gets no more pushes', async () => {
			const other = await signIn(server.url, seeded.people[0].email);
			const socket = await connected(other);
			await watch(socket, { seasonId: seeded.seasonId });
			const events = record(socket);
			const gone = disconnected(socket);
			const logout = await fetch(`${server.url}/logout`, {
				method: 'POST',
				body: new URLSearchParams(),
				headers: {
					origin: server.url,
					cookie: `session=${other}`,
					accept: 'text/html',
					'content-type': 'application/x-www-form-urlencoded'
				},
				redirect: 'manual'
			});
			expect(logout.status).toBe(303);
			expect(await gone).toBe('io server disconnect');
			await sell(seeded.people[2].email);
			await pause(400);
			expect(events.leaderboard).toEqual([]);
			expect(events.activity).toEqual([]);
		});

		it('disconnects a socket whose session expired or was deleted by another process', async () => {
			const expiring = await sessionFor(seeded.people[0].id);
			const deleted = await sessionFor(seeded.people[0].id);
			const [a, b] = [await connected(expiring), await connected(deleted)];
			for (const socket of [a, b]) await watch(socket, { seasonId: seeded.seasonId });
			const gone = [disconnected(a), disconnected(b)];
			await db.withStore(async ({ db, tables: { session } }) => {
				await db
					.update(session)
					.set({ expiresAt: Date.now() - 1 })
					.where(eq(session.id, hashToken(expiring)));
				await db.delete(session).where(eq(session.id, hashToken(deleted)));
			});
			expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);
		});

		it('refuses a watch once the session has ended, even before the periodic check', async () => {
			const ending = await sessionFor(seeded.people[0].id);
			const socket = await connected(ending);
			await db.withStore(({ db, tables: { session } }) =>
				db.delete(session).where(eq(session.id, hashToken(ending)))
			);
			const ack = await watch(socket, { seasonId: seeded.seasonId }).catch(() => null);
			// Either the watch is refused, or the periodic check got there first and cut the socket.
			if (ack) expect(ack).toHaveProperty('error.code', 'unauthorized');
			await waitFor(() => !socket.connected, 5_000, 'the disconnect');
		});
	});

	describe('deltas, gaps and snapshots', () => {
		it('sends one frame per push: a delta against the last push, with the feed item in it', async () => {
			const socket = await connected();
			const ack = (await watch(socket, { seasonId: seeded.seasonId })) as LeaderboardSnapshot;
			const frames: string[] = [];
			socket.onAny((event) => frames.push(event));
			const events = record(socket);
			const seller = seeded.people[2];
			const sale = await sell(seller.email);
			await waitFor(
				() => events.leaderboard.some((s) => s.version >= sale.version),
				10_000,
				'the push'
			);
			await pause(300);
			// One frame per push per client: no separate activity frame.
			expect(new Set(frames)).toEqual(new Set(['leaderboard']));
			const push = events.leaderboard.find((s) => s.version >= sale.version)!;
			if (push.kind !== 'delta') throw new Error('expected a delta');
			expect(push.baseVersion).toBeLessThan(push.version);
			expect(push.moved.find(([id]) => id === seller.id)).toBeDefined();
			expect(push.activity.map((a) => a.userId)).toContain(seller.id);
			// Applied to what the client had, the delta gives exactly the server's current top.
			let board: LeaderboardSnapshot = ack;
			for (const each of events.leaderboard) {
				const applied = applyPush(board, each);
				if ('board' in applied) board = applied.board;
				else expect(applied).not.toHaveProperty('gap');
			}
			const fresh = (await socket
				.timeout(5_000)
				.emitWithAck('snapshot', { seasonId: seeded.seasonId })) as LeaderboardSnapshot;
			expect(fresh.version).toBe(board.version);
			expect(board.individual).toEqual(fresh.individual);
			expect(board.teams).toEqual(fresh.teams);
		});

		it('makes a client that missed a push ask for a snapshot, which brings it up to date', async () => {
			const socket = await connected();
			const ack = (await watch(socket, { seasonId: seeded.seasonId })) as LeaderboardSnapshot;
			const events = record(socket);
			const first = await sell(seeded.people[3].email);
			await waitFor(
				() => events.leaderboard.some((s) => s.version >= first.version),
				10_000,
				'push 1'
			);
			const second = await sell(seeded.people[1].email);
			await waitFor(
				() => events.leaderboard.some((s) => s.version >= second.version),
				10_000,
				'push 2'
			);
			// Drop the first push: the second one's base is newer than the board the client holds.
			const later = events.leaderboard.filter((s) => s.version >= second.version)[0];
			if (later.kind !== 'delta') throw new Error('expected a delta');
			expect(applyPush(ack, later)).toEqual({ gap: true });
			const fresh = (await socket
				.timeout(5_000)
				.emitWithAck('snapshot', { seasonId: seeded.seasonId })) as LeaderboardSnapshot;
			expect(fresh.kind).toBe('snapshot');
			expect(fresh.version).toBeGreaterThanOrEqual(second.version);
			// The ack carries the contest format views too; the board itself leaves them out.
			const { formats, ...board } = fresh;
			expect(formats).toBeTypeOf('object');
			expect(applyPush(ack, fresh)).toEqual({ board: { ...board, me: fresh.me } });
		});

		it('keeps a board right whether a push reaches a socket before its watch ack or after', async () => {
			// The watch reads its board after joining the room (realtime/attach.ts), so a push may
			// come first. Each client keeps its board as live.svelte.ts does: the page's board,
			// then every push and the ack through applyPush (older: kept; a gap: a snapshot).
			const page = (await watch(await connected(), {
				seasonId: seeded.seasonId
			})) as LeaderboardSnapshot;
			const clients = await Promise.all(
				Array.from({ length: 12 }, async () => {
					const socket = await connected();
					const client = { socket, board: page, pushesBeforeAck: 0, acked: false };
					const accept = async (push: LeaderboardPush) => {
						const applied = applyPush(client.board, push);
						if ('board' in applied) client.board = applied.board;
						if (!('gap' in applied)) return;
						const fresh = (await socket
							.timeout(5_000)
							.emitWithAck('snapshot', { seasonId: seeded.seasonId })) as LeaderboardSnapshot;
						await accept({ ...fresh, kind: 'snapshot' });
					};
					socket.on('leaderboard', (push) => {
						if (!client.acked) client.pushesBeforeAck++;
						void accept(push);
					});
					return client;
				})
			);
			const selling = Promise.all(
				Array.from({ length: 24 }, (_, i) => sell(seeded.people[i % 6].email, 'CASE', 1))
			);
			await Promise.all(
				clients.map(async (client, i) => {
					await pause(i * 15);
					const ack = await watch(client.socket, { seasonId: seeded.seasonId });
					client.acked = true;
					if ('error' in ack) throw new Error(ack.error.code);
					const applied = applyPush(client.board, { ...ack, kind: 'snapshot' });
					if ('board' in applied) client.board = applied.board;
				})
			);
			const last = Math.max(...(await selling).map((s) => s.version));
			await waitFor(
				() => clients.every((c) => c.board.version >= last),
				10_000,
				'every board at the last sale'
			);
			const fresh = (await clients[0].socket
				.timeout(5_000)
				.emitWithAck('snapshot', { seasonId: seeded.seasonId })) as LeaderboardSnapshot;
			for (const { board } of clients) {
				expect(board.version).toBe(fresh.version);
				expect(board.individual).toEqual(fresh.individual);
				expect(board.teams).toEqual(fresh.teams);
			}
		});

		it('answers snapshot and standing only for a watched season', async () => {
			const socket = await connected();
			const refused = await socket
				.timeout(5_000)
				.emitWithAck('snapshot', { seasonId: seeded.seasonId });
			expect(refused).toMatchObject({ error: { code: 'not_watching' } });
			expect(
				await socket.timeout(5_000).emitWithAck('standing', { seasonId: seeded.seasonId })
			).toMatchObject({ error: { code: 'not_watching' } });
			const ack = (await watch(socket, { seasonId: seeded.seasonId })) as LeaderboardSnapshot;
			// A member's ack carries their own place; `standing` answers it again.
			expect(ack.me?.entry.id).toBe(seeded.people[0].id);
			const mine = await socket
				.timeout(5_000)
				.emitWithAck('standing', { seasonId: seeded.seasonId });
			expect(mine).toEqual({ me: ack.me });
		});
	});

	describe('API tokens on the socket', () => {
		function tokenSocket(apiToken: string): ClientSocket {
			const socket = ioClient(server.url, {
				autoConnect: false,
				reconnection: false,
				transports: ['websocket'],
				auth: { token: apiToken },
				timeout: 5_000
			}) as ClientSocket;
			sockets.push(socket);
			return socket;
		}
		const newToken = async (name: string, role: 'integration' | 'manager' = 'integration') =>
			db.withStore(async (store) => (await createApiToken(store, { name, role })).token);

		it('lets a token watch any season that is not a draft, and gets the pushes', async () => {
			const socket = tokenSocket(await newToken(`socket-${++counter}`));
			await connect(socket);
			const ack = (await watch(socket, { seasonId: seeded.seasonId })) as LeaderboardSnapshot;
			expect(ack.version).toEqual(expect.any(Number));
			expect(ack.me).toBeUndefined();
			expect(await watch(socket, { seasonId: seeded.endedSeasonId })).toHaveProperty('version');
			expect(await watch(socket, { seasonId: seeded.draftSeasonId })).toMatchObject({
				error: { code: 'not_found' }
			});
			const events = record(socket);
			const sale = await sell(seeded.people[5].email);
			await waitFor(
				() => events.leaderboard.some((s) => s.version >= sale.version),
				10_000,
				'push'
			);
		});

		it('refuses an unknown or revoked token at connection', async () => {
			await expect(connect(tokenSocket('hb_not_a_token'))).rejects.toThrow('unauthorized');
			const name = `revoked-${++counter}`;
			const revoked = await newToken(name);
			await db.withStore((store) => revokeApiToken(store, { name }));
			await expect(connect(tokenSocket(revoked))).rejects.toThrow('token_revoked');
		});

		it('disconnects a watching token once it is revoked', async () => {
			const name = `cut-${++counter}`;
			const socket = tokenSocket(await newToken(name));
			await connect(socket);
			expect(await watch(socket, { seasonId: seeded.seasonId })).toHaveProperty('version');
			const gone = disconnected(socket);
			await db.withStore((store) => revokeApiToken(store, { name }));
			expect(await gone).toBe('io server disconnect');
		});
	});
});
