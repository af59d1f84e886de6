// Two app nodes and one Redis (REDIS_URL, realtime/cluster.ts): a sale taken by one node reaches
// the boards connected to the other, a replayed externalId counts once whichever node answers,
// a node killed mid-burst loses no sale it acknowledged, a board whose node restarts recovers
// its socket, and a sign-out on one node cuts the person's sockets off on the other.
//
// Both nodes open the same SQLite file and one Redis (tests/helpers/two-nodes.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { io as ioClient } from 'socket.io-client';
import { startServer, type RunningServer } from '../helpers/server';
import { startTwoNodes, type TwoNodes } from '../helpers/two-nodes';
import { postSale, type SaleAnswer } from '../helpers/sales';
import { leaderboardOf, rankRows, watchBoard } from '../helpers/live-board';
import { makeMember, makeProduct, makeSeason, makeTeam, makeUser } from '../helpers/factories';
import {
	connect,
	PASSWORD,
	readDb,
	signIn,
	socketFor,
	waitFor,
	withDb,
	type ClientSocket,
	type SeededDb
} from '../helpers/seeded';
import { schedulerLease, season } from '../../src/lib/server/db/schema';
import type { LeaderboardPush, SeasonEvent } from '../../src/lib/realtime/events';

let nodes: TwoNodes;
let seeded: SeededDb;
let a: RunningServer;
let b: RunningServer;
let token: string;
let session: string;
const MANAGER = 'manager@test.test';
const sockets: ClientSocket[] = [];
/** A repeating season without grace period, which the season-end test ends. */
let endingId = 0;

function node(port?: number, env: Record<string, string> = {}): Promise<RunningServer> {
	return nodes.node({ port, env });
}

beforeAll(async () => {
	nodes = await startTwoNodes({
		prepare: async (db) => {
			await makeUser(db, { email: MANAGER, role: 'manager', password: PASSWORD });
			const ending = makeSeason(db, { recurrence: { every: 1, unit: 'month' }, graceDays: 0 });
			endingId = ending.id;
			await makeMember(db, endingId, makeTeam(db, endingId).id);
			makeProduct(db, endingId);
		}
	});
	({ seeded, token, a, b } = nodes);
	session = await signIn(a.url, seeded.people[0].email);
}, 120_000);

afterAll(async () => {
	for (const socket of sockets) socket.disconnect();
	await nodes?.stop();
});

async function connected(socket: ClientSocket): Promise<ClientSocket> {
	sockets.push(socket);
	await connect(socket);
	return socket;
}

/** A board of the season on `server`, as the app's client keeps it (tests/helpers/live-board.ts). */
async function boardOn(server: RunningServer) {
	const socket = await connected(socketFor(server.url, session));
	return { socket, state: await watchBoard(socket, seeded.seasonId) };
}

/** A replay must repeat the sale exactly: a different time would be a conflict (409). */
const OCCURRED_AT = new Date(Date.now() - 60_000).toISOString();

/** A sale on `server`, all at the same time (see OCCURRED_AT). */
function sellOn(
	server: RunningServer,
	externalId: string,
	seller = seeded.people[1].email,
	quantity = 1
): Promise<SaleAnswer> {
	return postSale(server.url, token, { externalId, seller, quantity, occurredAt: OCCURRED_AT });
}

const leaderboard = (server: RunningServer) => leaderboardOf(server.url, token, seeded.seasonId);

async function formPost(server: RunningServer, path: string, cookie: string, form = {}) {
	return fetch(`${server.url}${path}`, {
		method: 'POST',
		body: new URLSearchParams(form),
		headers: {
			origin: server.url,
			cookie: `session=${cookie}`,
			accept: 'text/html',
			'content-type': 'application/x-www-form-urlencoded'
		},
		redirect: 'manual'
	});
}

describe('two nodes sharing one database and one Redis', () => {
	it('pushes a sale taken by node A to a board on node B, and the board ends equal to the API', async () => {
		const { state } = await boardOn(b);
		// A board on A too: each board gets one sequence of deltas, from its own node, and never
		// misses a base (no gap).
		const { state: onA } = await boardOn(a);
		const first = await sellOn(a, 'two-nodes-1');
		expect(first.status).toBe(201);
		await waitFor(() => state.pushes > 0, 10_000, 'a push on B after a sale on A');
		// A series alternating between the nodes, several sellers, so that ranks change.
		for (let i = 0; i < 8; i++) {
			const seller = seeded.people[1 + (i % 3)].email;
			const answer = await sellOn(i % 2 ? a : b, `two-nodes-series-${i}`, seller, 1 + i);
			expect(answer.status).toBe(201);
		}
		const final = await leaderboard(a);
		for (const board of [state, onA]) {
			await waitFor(() => board.board.version >= final.version, 10_000, 'the last version');
			expect(board.board.version).toBe(final.version);
			expect(board.board.individual.length).toBeGreaterThan(0);
			expect(rankRows(board.board.individual)).toEqual(
				rankRows(final.entries).slice(0, board.board.individual.length)
			);
			expect(board.gaps).toBe(0);
			// Each sale's feed item once: from the board's own node, not from both.
			await waitFor(() => board.feed.length >= 9, 5_000, 'the feed items');
			expect(board.feed).toHaveLength(9);
			expect(new Set(board.feed).size).toBe(9);
		}
	});

	it('counts twenty concurrent replays of one externalId, spread over both nodes, once', async () => {
		const answers = await Promise.all(
			Array.from({ length: 20 }, (_, i) => sellOn(i % 2 ? a : b, 'two-nodes-replayed'))
		);
		const statuses = answers.map((x) => x.status);
		expect(statuses.filter((status) => status === 201)).toHaveLength(1);
		expect(statuses.filter((status) => status === 200)).toHaveLength(19);
		const ids = new Set(answers.map((x) => x.body.sale?.id));
		expect(ids.size).toBe(1);
		const [id] = ids;
		const counts = readDb(seeded.path, (db) => ({
			sales: db
				.prepare(`select count(*) from sale where external_id = ?`)
				.pluck()
				.get('two-nodes-replayed'),
			ledger: db.prepare(`select count(*) from ledger_entry where sale_id = ?`).pluck().get(id)
		}));
		expect(counts).toEqual({ sales: 1, ledger: 1 });
	});

	it('ends a season once while both schedulers race for it: one result, one archive, one rerun', async () => {
		const manager = await signIn(a.url, MANAGER);
		/** The `season` frames a board of the ending season on `server` hears. */
		const framesOn = async (server: RunningServer) => {
			const socket = await connected(socketFor(server.url, manager));
			const ack = await socket.timeout(10_000).emitWithAck('watch', { seasonId: endingId });
			expect('error' in ack).toBe(false);
			const frames: SeasonEvent[] = [];
			socket.on('season', (event) => frames.push(event));
			return frames;
		};
		const onA = await framesOn(a);
		const onB = await framesOn(b);
		// The end a moment ahead, and A's lease running out at that very moment (written at once,
		// as a third process would; each node sees it within a second, data_version): A wakes 5 ms
		// after the end (scheduler.ts, nextDelay), B, which asks again when another node's lease
		// runs out, at the same time. Both run the scheduler then, and the lease lets one through.
		const endsAt = Date.now() + 2_500;
		withDb(seeded.path, (db) =>
			db.transaction((tx) => {
				tx.update(season).set({ endsAt }).where(eq(season.id, endingId)).run();
				tx.update(schedulerLease)
					.set({ expiresAt: endsAt + 5 })
					.where(eq(schedulerLease.name, 'scheduler'))
					.run();
			})
		);
		const statusOf = (id: number) =>
			readDb(seeded.path, (db) =>
				db.prepare('select status from season where id = ?').pluck().get(id)
			) as string;
		await waitFor(() => statusOf(endingId) === 'archived', 20_000, 'the season to be archived');
		// The other node has had its turn (it ran at the end too) and the frames have arrived.
		await new Promise((resolve) => setTimeout(resolve, 2_500));
		const counts = readDb(seeded.path, (db) => {
			const one = (sql: string) => db.prepare(sql).pluck().get(endingId) as number;
			return {
				ended: one(
					"select count(*) from season_transition where season_id = ? and to_status = 'ended'"
				),
				archived: one(
					"select count(*) from season_transition where season_id = ? and to_status = 'archived'"
				),
				results: one('select count(*) from season_result where season_id = ?'),
				distinctResults: one(
					'select count(distinct subject_type || subject_id) from season_result where season_id = ?'
				),
				reruns: one('select count(*) from season where previous_season_id = ?')
			};
		});
		expect(counts.results).toBeGreaterThan(0);
		expect(counts).toEqual({
			ended: 1,
			archived: 1,
			results: counts.distinctResults,
			distinctResults: counts.distinctResults,
			reruns: 1
		});
		const rerun = readDb(seeded.path, (db) =>
			db.prepare('select id, status from season where previous_season_id = ?').get(endingId)
		) as { id: number; status: string };
		expect(rerun.status).toBe('live');
		// One node made each transition (server.ts logs the ones its scheduler made).
		const logged = (to: string) =>
			[a, b].filter((server) => server.output().includes(`season ${endingId} is now ${to}`)).length;
		expect([logged('ended'), logged('archived')]).toEqual([1, 1]);
		// The other node did not run into the database's own guards (the transition logged once,
		// one rerun per season): the lease kept it out.
		for (const server of [a, b]) expect(server.output()).not.toContain('season scheduler failed');
		// Each frame once on each node: from the node that ran the transition, through Redis.
		const expected = [
			{ seasonId: endingId, status: 'ended', nextSeasonId: rerun.id },
			{ seasonId: endingId, status: 'archived' }
		];
		expect(onA).toEqual(expected);
		expect(onB).toEqual(expected);
	});

	it('loses no acknowledged sale when node A is killed in the middle of a burst', async () => {
		const burst = 40;
		const answers: (SaleAnswer | null)[] = Array(burst).fill(null);
		let answeredByA = 0;
		const killed = (async () => {
			await waitFor(() => answeredByA >= 5, 20_000, 'A answering part of the burst');
			a.process.kill('SIGKILL');
		})();
		await Promise.all(
			Array.from({ length: burst }, async (_, i) => {
				const onA = i % 2 === 0;
				try {
					answers[i] = await sellOn(
						onA ? a : b,
						`two-nodes-burst-${i}`,
						seeded.people[1 + (i % 3)].email
					);
					if (onA) answeredByA++;
				} catch {
					// The connection died with the node: not acknowledged.
				}
			})
		);
		await killed;
		await a.stop();
		const acknowledged = answers
			.map((answer, i) => ({ answer, externalId: `two-nodes-burst-${i}` }))
			.filter(({ answer }) => answer && answer.status >= 200 && answer.status < 300);
		expect(acknowledged.length).toBeGreaterThanOrEqual(burst / 2 + 5);
		const stored = readDb(seeded.path, (db) =>
			db
				.prepare(
					`select s.external_id as externalId, s.id, count(l.id) as entries
					 from sale s left join ledger_entry l on l.sale_id = s.id
					 where s.external_id like 'two-nodes-burst-%' group by s.id`
				)
				.all()
		) as { externalId: string; id: number; entries: number }[];
		const byExternalId = new Map(stored.map((row) => [row.externalId, row]));
		expect(byExternalId.size).toBe(stored.length);
		for (const { answer, externalId } of acknowledged) {
			expect(byExternalId.get(externalId)?.id, externalId).toBe(answer!.body.sale!.id);
		}
		for (const row of stored) expect(row.entries, row.externalId).toBe(1);
		// A again, on its port, for the tests that follow.
		a = await node(a.port);
	});

	it('recovers a board socket after its node restarts, with what it missed meanwhile', async () => {
		const manager = await signIn(a.url, MANAGER);
		const socket = await connected(
			ioClient(b.url, {
				autoConnect: false,
				transports: ['websocket'],
				extraHeaders: { cookie: `session=${session}` },
				reconnectionDelay: 200,
				reconnectionDelayMax: 500,
				timeout: 5_000
			})
		);
		const ack = await socket.timeout(10_000).emitWithAck('watch', { seasonId: seeded.seasonId });
		expect('error' in ack).toBe(false);
		const events: SeasonEvent[] = [];
		socket.on('season', (event) => events.push(event));
		const announce = async (text: string) => {
			const response = await formPost(a, `/manage/seasons/${seeded.seasonId}?/announce`, manager, {
				announcement: text
			});
			expect(response.status).toBeLessThan(400);
		};
		// Posted on A, seen on B: and the event carries the stream offset recovery starts from.
		await announce('Before the restart');
		await waitFor(() => events.length === 1, 10_000, 'the announcement on B');
		// A socket on A: B's stop must not reach it (`io.disconnectSockets` goes through the
		// adapter to every node).
		const onA = await connected(socketFor(a.url, session));
		const dropped: string[] = [];
		onA.on('disconnect', (reason) => dropped.push(reason));
		const before = socket.id;
		const closed = new Promise<string>((done) => socket.once('disconnect', done));
		expect(await b.stop()).toBe(0);
		expect(await closed).toBe('transport close');
		await announce('While B was down');
		b = await node(b.port);
		await waitFor(() => socket.connected, 20_000, 'the reconnect to B');
		expect(socket.recovered).toBe(true);
		expect(socket.id).toBe(before);
		await waitFor(() => events.length === 2, 5_000, 'the missed announcement');
		expect(events.map((e) => e.announcement)).toEqual(['Before the restart', 'While B was down']);
		// Still in the season's room: a sale on A reaches it without watching again.
		const pushes: LeaderboardPush[] = [];
		socket.on('leaderboard', (push) => pushes.push(push));
		expect((await sellOn(a, 'two-nodes-after-restart')).status).toBe(201);
		await waitFor(() => pushes.length > 0, 10_000, 'a push after the recovery');
		expect(dropped).toEqual([]);
	});

	it('disconnects a socket on node B when its session signs out on node A', async () => {
		const other = await signIn(a.url, seeded.people[0].email);
		const socket = await connected(socketFor(b.url, other));
		await socket.timeout(10_000).emitWithAck('watch', { seasonId: seeded.seasonId });
		const gone = new Promise<string>((done) => socket.once('disconnect', done));
		const logout = await formPost(a, '/logout', other);
		expect(logout.status).toBe(303);
		const reason = await Promise.race([
			gone,
			new Promise((done) => setTimeout(() => done('still connected after 5 s'), 5_000))
		]);
		expect(reason).toBe('io server disconnect');
	});

	it('joins a node whose sockets live in its fan-out process (HONORBOARD_FANOUT=process)', async () => {
		const c = await node(undefined, { HONORBOARD_FANOUT: 'process' });
		try {
			// /readyz asks the writer's own connection to Redis and the fan-out child's link: 200
			// once the child is up and has said so.
			await waitFor(
				async () => (await fetch(`${c.url}/readyz`)).status === 200,
				20_000,
				'/readyz 200 on C'
			);
			const readyz = await fetch(`${c.url}/readyz`);
			expect(readyz.status).toBe(200);
			const checks = ((await readyz.json()) as { checks: Record<string, string> }).checks;
			expect([checks.redis, checks.fanout]).toEqual(['up', 'up']);
			const { state } = await boardOn(c);
			const before = state.board.version;
			expect((await sellOn(a, 'two-nodes-fanout')).status).toBe(201);
			await waitFor(() => state.board.version > before, 10_000, 'the push on C');
			expect(state.feed).toHaveLength(1);
			// A sign-out on A reaches the socket in C's fan-out process.
			const other = await signIn(a.url, seeded.people[0].email);
			const socket = await connected(socketFor(c.url, other));
			await socket.timeout(10_000).emitWithAck('watch', { seasonId: seeded.seasonId });
			const gone = new Promise<string>((done) => socket.once('disconnect', done));
			expect((await formPost(a, '/logout', other)).status).toBe(303);
			expect(await gone).toBe('io server disconnect');
		} finally {
			await c.stop();
		}
	});

	it('refuses to start when Redis does not answer, in one line', async () => {
		const start = startServer({ dbPath: seeded.path, env: { REDIS_URL: 'redis://127.0.0.1:1' } });
		const error = await start.then(
			() => null,
			(e: Error) => e
		);
		expect(error?.message).toMatch(/server exited with 1/);
		expect(error?.message).toMatch(
			/Redis at redis:\/\/127\.0\.0\.1:1 did not answer \(.+\): not starting \(REDIS_URL\)/
		);
	});

	// Last: it stops the Redis.
	it('keeps pushing to its own sockets when Redis goes away at runtime, and says so', async () => {
		const { state } = await boardOn(b);
		await nodes.redis.stop();
		const before = state.board.version;
		expect((await sellOn(b, 'two-nodes-no-redis')).status).toBe(201);
		await waitFor(() => state.board.version > before, 10_000, 'the push on B without Redis');
		await waitFor(() => b.output().includes('Lost the connection to Redis'), 5_000, 'the log line');
		// Not ready (its boards miss the other nodes' sales), but alive.
		expect((await fetch(`${b.url}/readyz`)).status).toBe(503);
		expect((await fetch(`${b.url}/healthz`)).status).toBe(200);
		// And still stops at once, cleanly.
		const stopping = Date.now();
		expect(await b.stop()).toBe(0);
		expect(Date.now() - stopping).toBeLessThan(5_000);
	});
});
