// A Redis that hangs for a while under two nodes taking sales, and later dies and comes back.
// What waits for Redis on a node must stay bounded (REDIS_QUEUE_MAX per connection): before,
// each sale's word to the other node waited in memory until Redis answered, however long that
// took. The node keeps taking every sale (the database is its own), counts the pushes it drops
// (/metrics), says so once in its log, and when Redis answers again a board on the other node
// catches up with what it missed, without another sale: the version and the rows a fresh
// snapshot has. A `season` frame that Redis refused (a season's end, an announcement) reached
// only the sockets of the node that sent it: once Redis answers, the other node's boards are
// sent the seasons' state (with the fingerprint a TV compares with its own, so that a TV that
// missed nothing does not reload). A token socket's `badge` frame that Redis refused is not sent
// again: the other node's token sockets get a `badgesMissed` hint and read the awards since then
// from GET /api/v1/seasons/{id}/badges. Each node warns once per outage, and again for the next.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../helpers/server';
import { startTwoNodes, type TwoNodes } from '../helpers/two-nodes';
import { postSale } from '../helpers/sales';
import { makeMember, makeProduct, makeSeason, makeTeam, makeUser } from '../helpers/factories';
import { connect, PASSWORD, readDb, signIn, waitFor, withDb } from '../helpers/seeded';
import { season } from '../../src/lib/server/db/schema';
import { applyPush } from '../../src/lib/realtime/board-state';
import type {
	BadgeEvent,
	BadgesMissed,
	LeaderboardSnapshot,
	SeasonEvent,
	WatchAck
} from '../../src/lib/realtime/events';
import { createBadge } from '../../src/lib/server/badges/commands';
import { sqliteStore } from '../../src/lib/server/db/store';
import { seasonLook } from '../../src/lib/server/seasons/look';
import { eq } from 'drizzle-orm';

/** A small bound, so that a few dozen sales pass it. */
const QUEUE_MAX = 20;
/** Each node has three connections to Redis: its own, and the adapter's reader and subscriber. */
const CONNECTIONS = 3;
const MANAGER = 'manager@test.test';
/** A member who sells for the first time while A's queue is full: a `badge` frame Redis refuses. */
const LATECOMER = 'latecomer@test.test';

let nodes: TwoNodes;
let a: RunningServer;
let b: RunningServer;
let session: string;
let manager: string;
/** A second live season, which ends while Redis hangs (A runs the scheduler). */
let endingId = 0;
let sold = 0;

beforeAll(async () => {
	nodes = await startTwoNodes({
		people: 6,
		env: { REDIS_QUEUE_MAX: String(QUEUE_MAX) },
		prepare: async (db, seeded) => {
			await makeUser(db, { email: MANAGER, role: 'manager', password: PASSWORD });
			endingId = makeSeason(db).id;
			await makeMember(db, endingId, makeTeam(db, endingId).id);
			makeProduct(db, endingId);
			await makeMember(db, seeded.seasonId, seeded.teams[0].id, { email: LATECOMER });
			await createBadge(
				sqliteStore(db),
				seeded.seasonId,
				{
					name: 'First sale',
					emoji: '🥇',
					description: '',
					points: 0,
					criterion: { kind: 'first_sale' },
					active: true
				},
				{ userId: null }
			);
		}
	});
	({ a, b } = nodes);
	session = await signIn(b.url, nodes.seeded.people[0].email);
	manager = await signIn(a.url, MANAGER);
}, 120_000);

afterAll(() => nodes?.stop());

/** `count` sales on A, one after the other, spread over the sellers so that ranks change. */
async function sellOnA(count: number, prefix: string): Promise<string[]> {
	const ids: string[] = [];
	for (let i = 0; i < count; i++) {
		const externalId = `${prefix}-${++sold}`;
		const seller = nodes.seeded.people[sold % nodes.seeded.people.length].email;
		const answer = await postSale(a.url, nodes.token, {
			externalId,
			seller,
			quantity: 1 + (sold % 3)
		});
		expect(answer.status, JSON.stringify(answer.body)).toBe(201);
		ids.push(externalId);
	}
	return ids;
}

function stored(externalIds: string[]): number {
	return readDb(nodes.seeded.path, (db) =>
		db
			.prepare(
				`select count(*) from sale where external_id in (${externalIds.map(() => '?').join(',')})`
			)
			.pluck()
			.get(...externalIds)
	) as number;
}

function seasonVersion(): number {
	return readDb(nodes.seeded.path, (db) =>
		db.prepare('select version from season where id = ?').pluck().get(nodes.seeded.seasonId)
	) as number;
}

/** The node's Redis figures from /metrics. */
async function redisMetrics(server: RunningServer) {
	const response = await fetch(`${server.url}/metrics`, {
		headers: { authorization: `Bearer ${nodes.token}` }
	});
	const text = await response.text();
	const value = (name: string) => {
		const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
		if (!match) throw new Error(`${name} is not in /metrics`);
		return Number(match[1]);
	};
	return {
		pending: value('honorboard_redis_commands_pending'),
		dropped: value('honorboard_redis_commands_dropped_total')
	};
}

/** A board on `server`, kept as the client keeps it (board-state.ts), snapshots on a gap. */
async function boardOn(server: RunningServer) {
	const socket = nodes.socket(server.url, session);
	await connect(socket);
	const ask = async (event: 'watch' | 'snapshot') => {
		const ack = (await socket
			.timeout(10_000)
			.emitWithAck(event, { seasonId: nodes.seeded.seasonId })) as WatchAck;
		if ('error' in ack) throw new Error(ack.error.code);
		return ack;
	};
	const state = { board: await ask('watch'), pushes: 0 };
	socket.on('leaderboard', (push) => {
		state.pushes++;
		const applied = applyPush(state.board, push);
		if ('board' in applied) state.board = applied.board;
		else if ('gap' in applied) void ask('snapshot').then((board) => (state.board = board));
	});
	return { state, fresh: () => ask('snapshot') };
}

/** Whether the board has the database's version and the rows of a fresh snapshot. */
async function caughtUp(board: Awaited<ReturnType<typeof boardOn>>): Promise<boolean> {
	const now: LeaderboardSnapshot = board.state.board;
	if (now.version !== seasonVersion()) return false;
	const fresh = await board.fresh();
	return (
		JSON.stringify([now.individual, now.teams]) === JSON.stringify([fresh.individual, fresh.teams])
	);
}

function outageWarnings(server: RunningServer): number {
	return server
		.output()
		.split('\n')
		.filter((line) => line.includes('is dropped until Redis is back')).length;
}

/** The lines that end an outage: `Redis (…) answers again; N command(s) dropped meanwhile`. */
function outageEnds(server: RunningServer): number {
	return server
		.output()
		.split('\n')
		.filter((line) => /answers again; \d+ command\(s\) dropped/.test(line)).length;
}

/**
 * The outage warnings once `expected` of them are in the log and a flush more has gone by: the
 * server writes its log lines in batches, up to 0.1 s late (shared/log.ts, batchLogLines).
 */
async function settledWarnings(server: RunningServer, expected: number): Promise<number> {
	await waitFor(() => outageWarnings(server) >= expected, 5_000, 'the outage warning');
	await new Promise((resolve) => setTimeout(resolve, 500));
	return outageWarnings(server);
}

/** The `season` frames a manager's socket on `server` hears for the seasons it watches. */
async function seasonFramesOn(server: RunningServer, seasonIds: number[]) {
	const socket = nodes.socket(server.url, manager);
	await connect(socket);
	for (const seasonId of seasonIds) {
		const ack = (await socket.timeout(10_000).emitWithAck('watch', { seasonId })) as WatchAck;
		if ('error' in ack) throw new Error(ack.error.code);
	}
	const frames: SeasonEvent[] = [];
	socket.on('season', (event) => frames.push(event));
	/** The last frame heard for a season. */
	return (seasonId: number) => frames.filter((frame) => frame.seasonId === seasonId).at(-1);
}

/** An API-token socket on `server` watching the season: its `badge` and `badgesMissed` frames. */
async function tokenSocketOn(server: RunningServer) {
	const socket = nodes.socket(server.url);
	(socket.auth as Record<string, string>) = { token: nodes.token };
	await connect(socket);
	const heard = { badges: [] as BadgeEvent[], missed: [] as BadgesMissed[] };
	socket.on('badge', (event) => heard.badges.push(event));
	socket.on('badgesMissed', (hint) => heard.missed.push(hint));
	const ack = (await socket
		.timeout(10_000)
		.emitWithAck('watch', { seasonId: nodes.seeded.seasonId })) as WatchAck;
	if ('error' in ack) throw new Error(ack.error.code);
	return heard;
}

/** An award's key (award_once_uq): the same in a `badge` frame and in the API's list. */
const awardKey = (a: Pick<BadgeEvent, 'badge' | 'subjectType' | 'subjectId' | 'periodKey'>) =>
	`${a.badge.id}:${a.subjectType}:${a.subjectId}:${a.periodKey}`;

/** What seasons/look.ts makes of the season as it is in the database. */
function lookOf(seasonId: number): string {
	return withDb(nodes.seeded.path, (db) =>
		seasonLook(db.select().from(season).where(eq(season.id, seasonId)).get()!)
	);
}

function latecomerId(): number {
	return readDb(nodes.seeded.path, (db) =>
		db.prepare('select id from user where email = ?').pluck().get(LATECOMER)
	) as number;
}

/** The keys of the season's standing awards written since `since` (ms), as the database has them. */
function awardKeysSince(since: number): string[] {
	const rows = readDb(nodes.seeded.path, (db) =>
		db
			.prepare(
				`select badge_id, subject_type, subject_id, period_key from award
				where season_id = ? and status <> 'void' and created_at >= ?`
			)
			.all(nodes.seeded.seasonId, since)
	) as { badge_id: number; subject_type: string; subject_id: number; period_key: string }[];
	return rows.map((r) => `${r.badge_id}:${r.subject_type}:${r.subject_id}:${r.period_key}`);
}

/** Every page of GET /api/v1/seasons/{id}/badges?since= on `server`. */
async function badgesSince(server: RunningServer, since: string) {
	type Page = {
		entries: (Pick<BadgeEvent, 'badge' | 'subjectType' | 'subjectId' | 'periodKey'> & {
			id: number;
		})[];
		next: number | null;
	};
	const entries: Page['entries'] = [];
	let after: number | null = null;
	do {
		const query = new URLSearchParams({ since, limit: '2' });
		if (after !== null) query.set('after', String(after));
		const response = await fetch(
			`${server.url}/api/v1/seasons/${nodes.seeded.seasonId}/badges?${query}`,
			{ headers: { authorization: `Bearer ${nodes.token}` } }
		);
		expect(response.status).toBe(200);
		const page = (await response.json()) as Page;
		entries.push(...page.entries);
		after = page.next;
	} while (after !== null);
	return entries;
}

function statusOf(seasonId: number): string {
	return readDb(nodes.seeded.path, (db) =>
		db.prepare('select status from season where id = ?').pluck().get(seasonId)
	) as string;
}

describe('a Redis that hangs, then dies, under two nodes taking sales', () => {
	let onB: Awaited<ReturnType<typeof boardOn>>;
	const tools: Record<'a' | 'b', Awaited<ReturnType<typeof tokenSocketOn>>> = {
		a: { badges: [], missed: [] },
		b: { badges: [], missed: [] }
	};
	const frames: Record<'a' | 'b', (seasonId: number) => SeasonEvent | undefined> = {
		a: () => undefined,
		b: () => undefined
	};

	it('bounds what waits for a hung Redis, takes every sale and counts the dropped pushes', async () => {
		onB = await boardOn(b);
		// Boards of both seasons on both nodes, for the test that follows.
		frames.a = await seasonFramesOn(a, [nodes.seeded.seasonId, endingId]);
		frames.b = await seasonFramesOn(b, [nodes.seeded.seasonId, endingId]);
		tools.a = await tokenSocketOn(a);
		tools.b = await tokenSocketOn(b);
		await sellOnA(1, 'outage-before');
		await waitFor(() => onB.state.pushes > 0, 10_000, 'a push on B for a sale on A');
		expect((await redisMetrics(a)).dropped).toBe(0);

		nodes.redis.freeze();
		const ids = await sellOnA(120, 'outage-hung');
		const during = await redisMetrics(a);
		// Each sale tells the other node once: 120 commands, of which at most QUEUE_MAX per
		// connection wait; the rest were refused at once and counted.
		expect(during.pending).toBeLessThanOrEqual(QUEUE_MAX * CONNECTIONS);
		expect(during.dropped).toBeGreaterThanOrEqual(120 - QUEUE_MAX * CONNECTIONS);
		expect(stored(ids)).toBe(ids.length);
		// Said once, not per command.
		expect(await settledWarnings(a, 1)).toBe(1);
		expect((await fetch(`${a.url}/healthz`)).status).toBe(200);
		expect(a.process.exitCode, a.output()).toBeNull();
	});

	it("tells the other node's boards the season news and badges that Redis refused, once it answers", async () => {
		// Redis still hangs and A's queue is full: a `season` frame A sends now fails through the
		// adapter and reaches A's own sockets only (docs/scale-out.md).
		const text = 'Told while Redis hung';
		const announced = await fetch(`${a.url}/manage/seasons/${nodes.seeded.seasonId}?/announce`, {
			method: 'POST',
			body: new URLSearchParams({ announcement: text }),
			headers: {
				origin: a.url,
				cookie: `session=${manager}`,
				accept: 'text/html',
				'content-type': 'application/x-www-form-urlencoded'
			},
			redirect: 'manual'
		});
		expect(announced.status).toBeLessThan(400);
		// The second season's end passes (written as a third process would): A, which holds the
		// scheduler's lease, ends it within a second.
		withDb(nodes.seeded.path, (db) =>
			db
				.update(season)
				.set({ endsAt: Date.now() - 1000 })
				.where(eq(season.id, endingId))
				.run()
		);
		await waitFor(() => frames.a(endingId)?.status === 'ended', 10_000, 'the end on A');
		await waitFor(() => frames.a(nodes.seeded.seasonId)?.announcement === text, 5_000, 'A');
		expect(statusOf(endingId)).toBe('ended');
		// A first sale: its `badge` frame to the token sockets is refused too, and reaches A's.
		const latecomer = await postSale(a.url, nodes.token, {
			externalId: 'outage-latecomer',
			seller: LATECOMER
		});
		expect(latecomer.status, JSON.stringify(latecomer.body)).toBe(201);
		const firstSale = (e: BadgeEvent) => e.userName !== undefined && e.badge.name === 'First sale';
		await waitFor(
			() => tools.a.badges.some((e) => firstSale(e) && e.userId === latecomerId()),
			10_000,
			"the latecomer's badge on A"
		);
		// Nothing reached B: the frames were refused, not queued.
		await new Promise((resolve) => setTimeout(resolve, 500));
		expect([frames.b(endingId), frames.b(nodes.seeded.seasonId)]).toEqual([undefined, undefined]);

		nodes.redis.thaw();
		// Once Redis answers, B's sockets hear the seasons' state as it is now.
		await waitFor(
			() =>
				frames.b(endingId)?.status === 'ended' &&
				frames.b(nodes.seeded.seasonId)?.announcement === text,
			20_000,
			"the season's end and the announcement on B"
		);
		// With the fingerprint of the season's looks that a TV page is built with: a TV that
		// shows this state already does not reload for it (tv/season-frame.ts).
		expect(frames.b(endingId)).toEqual({
			seasonId: endingId,
			status: 'ended',
			announcement: null,
			look: lookOf(endingId)
		});
		expect(frames.b(nodes.seeded.seasonId)).toEqual({
			seasonId: nodes.seeded.seasonId,
			status: 'live',
			announcement: text,
			look: lookOf(nodes.seeded.seasonId)
		});

		// The latecomer's frame is not sent again (B's token socket may have had some of the
		// frames of the outage): B's token sockets are told to read the awards since A's outage.
		await waitFor(() => tools.b.missed.length > 0, 20_000, 'a badgesMissed hint on B');
		expect(tools.b.badges.some((e) => e.userId === latecomerId())).toBe(false);
		const [hint] = tools.b.missed;
		expect(hint.seasonId).toBe(nodes.seeded.seasonId);
		const listed = await badgesSince(b, hint.since);
		// Every award written since the outage began is listed, the latecomer's among them; a
		// frame B's socket did get is the same award (the same key) as an entry.
		const since = Date.parse(hint.since);
		const written = awardKeysSince(since);
		expect(written.length).toBeGreaterThan(0);
		expect(listed.map(awardKey).sort()).toEqual(written.sort());
		const theirs = listed.find((e) => e.subjectId === latecomerId());
		expect(theirs?.badge.name).toBe('First sale');
		// Nothing lost: what B's token socket heard and what it read make every award, each once
		// by its key (B heard some of the outage's frames: those that waited for Redis).
		const known = new Set([...tools.b.badges, ...listed].map(awardKey));
		expect(awardKeysSince(0).filter((key) => !known.has(key))).toEqual([]);
		// A's sockets got every frame A sent: no hint there (B had no outage of its own).
		expect(tools.a.missed).toEqual([]);
	});

	it('catches the board on the other node up once Redis answers again', async () => {
		await waitFor(() => caughtUp(onB), 20_000, 'the board on B caught up with A');
		// The end of the outage as A sees it (checked every 250 ms): the next one is another.
		await waitFor(() => outageEnds(a) === 1, 10_000, 'A logs that Redis answers again');
		// What waited is answered: at most one command per connection in flight (the reader's
		// blocking XREAD, a heartbeat), read until it settles, as commands come and go.
		await waitFor(
			async () => (await redisMetrics(a)).pending <= CONNECTIONS,
			10_000,
			'the queue drained'
		);
	});

	it('catches it up after Redis died and came back, with no sale after its return', async () => {
		// The pushes of the resync above are over (a push window is 1 s at most): a board that
		// is up to date after the kill can only have been caught up by what follows.
		await waitFor(() => caughtUp(onB), 10_000, 'the board on B caught up');
		await new Promise((resolve) => setTimeout(resolve, 1_500));
		const before = await redisMetrics(a);
		const warned = { a: outageWarnings(a), b: outageWarnings(b) };
		nodes.redis.freeze();
		// Told while Redis hangs, then lost with the connections when it dies. Fewer than the
		// bound: nothing is refused before the kill, whose failures begin this outage.
		const ids = await sellOnA(QUEUE_MAX / 2, 'outage-killed');
		await nodes.redis.kill();
		expect(stored(ids)).toBe(ids.length);
		const during = await redisMetrics(a);
		expect(during.pending).toBeLessThanOrEqual(QUEUE_MAX * CONNECTIONS);
		expect(during.dropped).toBeGreaterThan(before.dropped);
		expect(onB.state.board.version).toBeLessThan(seasonVersion());
		// A warning of its own on each node: A (whose first outage ended above) and B, which had
		// dropped nothing before and now lost its connections.
		expect(await settledWarnings(a, warned.a + 1)).toBe(warned.a + 1);
		expect(await settledWarnings(b, warned.b + 1)).toBe(warned.b + 1);

		await nodes.restartRedis();
		// Nothing is sold now: the board catches up from what the nodes read again.
		await waitFor(() => caughtUp(onB), 20_000, 'the board on B caught up after the restart');
		for (const server of [a, b]) {
			expect(server.process.exitCode, server.output()).toBeNull();
			expect(server.output()).not.toMatch(/unhandled|UnhandledPromiseRejection/i);
		}
	});
});
