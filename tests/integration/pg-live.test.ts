// Live boards on PostgreSQL (#20, docs/postgres.md "Running on PostgreSQL"): two built server
// nodes on one PostgreSQL and one Redis (DATABASE_URL=postgres://…, REDIS_URL). A board watched
// on node B gets, as one push, the points of an activity logged through node A's API, with its
// feed item; a board on node A gets it too; the watch's format views (a duel) and a snapshot
// asked for are read from the pool. Needs `npm run build` (build/server.js).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server';
import { connect, signIn, socketFor, waitFor, type ClientSocket } from '../helpers/seeded';
import { duelOfFirstTwo, pgWorld, stopPgWorld, type PgWorld } from '../helpers/pg-world';
import type { Store } from '../../src/lib/server/db/store';
import { createApiToken } from '../../src/lib/server/auth/api-token';
import { createActivityType } from '../../src/lib/server/activities/types';
import { applyPush } from '../../src/lib/realtime/board-state';
import type { LeaderboardPush, LeaderboardSnapshot, WatchAck } from '../../src/lib/realtime/events';

const ADMIN = 'admin@pg-live.test';

let world: PgWorld;
let store: Store;
let a: RunningServer;
let b: RunningServer;
let season: PgWorld['season'];
let token: string;
let session: string;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
	world = await pgWorld(ADMIN);
	({ store, season } = world);
	const visit = { key: 'visit', name: 'Visit', points: 10, emoji: '🤝' };
	await createActivityType(store, season.seasonId, visit, {});
	token = (await createApiToken(store, { name: 'crm', role: 'integration' })).token;
	await duelOfFirstTwo(world, 'pg-live-duel');
	[a, b] = await Promise.all([startServer({ env: world.env }), startServer({ env: world.env })]);
	session = await signIn(a.url, ADMIN);
}, 120_000);

afterAll(async () => {
	for (const socket of sockets) socket.disconnect();
	await Promise.all([a?.dispose(), b?.dispose()]);
	await stopPgWorld(world);
});

/** A board as the app's client keeps it (board-state.ts): its ack, then each push applied. */
async function boardOn(server: RunningServer) {
	const socket = socketFor(server.url, session);
	sockets.push(socket);
	await connect(socket);
	const pushes: LeaderboardPush[] = [];
	socket.on('leaderboard', (push) => pushes.push(push));
	const ack = (await socket
		.timeout(10_000)
		.emitWithAck('watch', { seasonId: season.seasonId })) as WatchAck;
	if ('error' in ack) throw new Error(ack.error.code);
	const board = { snapshot: ack as LeaderboardSnapshot, formats: ack.formats, gaps: 0, pushes };
	socket.on('leaderboard', (push) => {
		const applied = applyPush(board.snapshot, push);
		if ('board' in applied) board.snapshot = applied.board;
		if ('gap' in applied) board.gaps++;
	});
	return { socket, board };
}

const pointsOf = (snapshot: LeaderboardSnapshot) =>
	snapshot.individual.map((entry) => [entry.name, entry.points]);

describe('live boards on PostgreSQL, two nodes and Redis', () => {
	it('starts its live updates on the pool', () => {
		for (const node of [a, b]) {
			expect(node.output()).not.toContain('PostgreSQL: live updates');
			expect(node.output()).toContain('PostgreSQL: the read thread');
		}
	});

	it("pushes an activity logged on node A to the boards on both nodes, from the pool's standings", async () => {
		const onB = await boardOn(b);
		const onA = await boardOn(a);
		const [first, second, third] = season.people;
		expect(pointsOf(onB.board.snapshot)).toEqual([
			[first.name, 30],
			[second.name, 20],
			[third.name, 10]
		]);
		// The contest format views, through the pool: the duel of the first two.
		const duels = (onB.board.formats?.challenges as { duels: { id: number }[] } | null)?.duels;
		expect(duels).toHaveLength(1);
		const before = onB.board.snapshot.version;

		const logged = await fetch(`${a.url}/api/v1/activities`, {
			method: 'POST',
			headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
			body: JSON.stringify({
				externalId: 'crm-visit-1',
				person: { email: third.email },
				type: 'visit',
				occurredAt: new Date(Date.now() - 60_000).toISOString(),
				quantity: 3
			})
		});
		expect(logged.status).toBe(201);

		const expected = [
			[third.name, 40],
			[first.name, 30],
			[second.name, 20]
		];
		for (const { board } of [onB, onA]) {
			await waitFor(
				() => JSON.stringify(pointsOf(board.snapshot)) === JSON.stringify(expected),
				10_000,
				'the push of the activity'
			);
			expect(board.snapshot.version).toBeGreaterThan(before);
			expect(board.gaps).toBe(0);
			const items = board.pushes.flatMap((push) => push.activity ?? []);
			expect(items.map((item) => item.userId)).toContain(third.id);
		}
	});

	it('answers a snapshot from the pool to a board that asks for one', async () => {
		const { socket, board } = await boardOn(b);
		const snapshot = (await socket
			.timeout(10_000)
			.emitWithAck('snapshot', { seasonId: season.seasonId })) as LeaderboardSnapshot;
		expect(snapshot.version).toBe(board.snapshot.version);
		expect(pointsOf(snapshot)).toEqual(pointsOf(board.snapshot));
		// An admin takes no part: no rank of their own.
		const standing = await socket.timeout(10_000).emitWithAck('standing', {
			seasonId: season.seasonId
		});
		expect(standing).toEqual({ me: null });
	});
});
