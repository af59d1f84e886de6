// Two app nodes on one PostgreSQL and one Redis (#20's two-node test, docs/postgres.md "Running
// on PostgreSQL"): sales posted through node A's API reach a board on node B, twenty concurrent
// replays of one externalId spread over both nodes count once, a season ending while both
// schedulers race for it gives one result, one archive and one rerun, and a node killed with
// SIGKILL in the middle of a burst loses no sale it acknowledged. tests/integration/two-nodes.test.ts
// checks the same on one SQLite file. Needs `npm run build` (build/server.js).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq, like, sum } from 'drizzle-orm';
import { startPostgres, type TestPostgres } from '../helpers/postgres';
import { startRedis, type TestRedis } from '../helpers/redis';
import { startServer, type RunningServer } from '../helpers/server';
import { postSale, type SaleAnswer } from '../helpers/sales';
import { leaderboardOf, rankRows, watchBoard } from '../helpers/live-board';
import {
	connect,
	PASSWORD,
	signIn,
	socketFor,
	waitFor,
	type ClientSocket
} from '../helpers/seeded';
import { liveSeasonOn } from '../helpers/store-season';
import { closeStore, openStore, type Store } from '../../src/lib/server/db/store';
import { createUser } from '../../src/lib/server/people/users';
import { createApiToken } from '../../src/lib/server/auth/api-token';
import type { SeasonEvent } from '../../src/lib/realtime/events';

const ADMIN = 'admin@pg-nodes.test';
const DAY = 86_400_000;
/** A replay must repeat the sale exactly: a different time would be a conflict (409). */
const OCCURRED_AT = new Date(Date.now() - 60_000).toISOString();

let pg: TestPostgres;
let redis: TestRedis;
let store: Store;
let a: RunningServer;
let b: RunningServer;
let season: Awaited<ReturnType<typeof liveSeasonOn>>;
/** A monthly season without grace period, which the season-end test ends. */
let ending: Awaited<ReturnType<typeof liveSeasonOn>>;
let token: string;
let session: string;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
	[pg, redis] = await Promise.all([startPostgres(), startRedis()]);
	store = await openStore(pg.url);
	await createUser(store, { email: ADMIN, displayName: 'Ada', role: 'admin', password: PASSWORD });
	season = await liveSeasonOn(store, {
		size: 4,
		teams: ['Harbour', 'Summit'],
		endsAt: Date.now() + 30 * DAY
	});
	ending = await liveSeasonOn(store, {
		size: 2,
		teams: ['Solo'],
		endsAt: Date.now() + 30 * DAY,
		points: [20, 10]
	});
	const { product, season: seasonTable } = store.tables;
	await store.db
		.update(seasonTable)
		.set({ recurrence: { every: 1, unit: 'month' }, graceDays: 0 })
		.where(eq(seasonTable.id, ending.seasonId));
	await store.db.insert(product).values(
		[season, ending].map(({ seasonId }) => ({
			seasonId,
			sku: 'PHONE',
			name: 'Phone',
			category: 'Phones',
			points: 10,
			price: 1000
		}))
	);
	token = (await createApiToken(store, { name: 'crm', role: 'integration' })).token;
	const env = { DATABASE_URL: pg.url, REDIS_URL: redis.url };
	[a, b] = await Promise.all([startServer({ env }), startServer({ env })]);
	session = await signIn(a.url, ADMIN);
}, 120_000);

afterAll(async () => {
	for (const socket of sockets) socket.disconnect();
	await Promise.all([a?.dispose(), b?.dispose()]);
	if (store) await closeStore(store);
	await Promise.all([redis?.stop(), pg?.stop()]);
});

async function connected(socket: ClientSocket): Promise<ClientSocket> {
	sockets.push(socket);
	await connect(socket);
	return socket;
}

/** A board of the season on `server`, as the app's client keeps it (tests/helpers/live-board.ts). */
async function boardOn(server: RunningServer) {
	return watchBoard(await connected(socketFor(server.url, session)), season.seasonId);
}

function sellOn(
	server: RunningServer,
	externalId: string,
	seller = season.people[0].email,
	quantity = 1
): Promise<SaleAnswer> {
	return postSale(server.url, token, { externalId, seller, quantity, occurredAt: OCCURRED_AT });
}

const leaderboard = (server: RunningServer) => leaderboardOf(server.url, token, season.seasonId);

/** The sales stored under externalIds starting with `prefix`, with their ledger entries. */
async function storedSales(prefix: string) {
	const { sale, ledgerEntry } = store.tables;
	return store.db
		.select({ externalId: sale.externalId, id: sale.id, entries: count(ledgerEntry.id) })
		.from(sale)
		.leftJoin(ledgerEntry, eq(ledgerEntry.saleId, sale.id))
		.where(like(sale.externalId, `${prefix}%`))
		.groupBy(sale.id, sale.externalId);
}

describe('two nodes on one PostgreSQL and one Redis', () => {
	it('pushes sales taken by node A to a board on node B, and the boards end equal to the API', async () => {
		const onB = await boardOn(b);
		const onA = await boardOn(a);
		const first = await sellOn(a, 'pg-nodes-1');
		expect(first.status).toBe(201);
		await waitFor(() => onB.pushes > 0, 10_000, 'a push on B after a sale on A');
		// A series alternating between the nodes, several sellers, so that ranks change.
		for (let i = 0; i < 8; i++) {
			const seller = season.people[1 + (i % 3)].email;
			const answer = await sellOn(i % 2 ? a : b, `pg-nodes-series-${i}`, seller, 1 + i);
			expect(answer.status).toBe(201);
		}
		const final = await leaderboard(b);
		expect(
			final.entries.filter((entry) => entry.points + entry.provisionalPoints > 0)
		).toHaveLength(4);
		for (const board of [onB, onA]) {
			await waitFor(() => board.board.version >= final.version, 10_000, 'the last version');
			expect(board.board.version).toBe(final.version);
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
			Array.from({ length: 20 }, (_, i) => sellOn(i % 2 ? a : b, 'pg-nodes-replayed'))
		);
		const statuses = answers.map((x) => x.status);
		expect(statuses.filter((status) => status === 201)).toHaveLength(1);
		expect(statuses.filter((status) => status === 200)).toHaveLength(19);
		const ids = new Set(answers.map((x) => x.body.sale?.id));
		expect(ids.size).toBe(1);
		const stored = await storedSales('pg-nodes-replayed');
		expect(stored).toEqual([{ externalId: 'pg-nodes-replayed', id: [...ids][0], entries: 1 }]);
	});

	it('refuses a bad token, a malformed body and a conflicting replay on the pool, writing nothing', async () => {
		const before = await storedSales('pg-nodes-');
		const bad = await postSale(b.url, 'not-a-token', {
			externalId: 'pg-nodes-refused',
			seller: season.people[0].email
		});
		expect([bad.status, (bad.body as { error?: { code: string } }).error?.code]).toEqual([
			401,
			'unauthorized'
		]);
		const malformed = await fetch(`${b.url}/api/v1/sales`, {
			method: 'POST',
			headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
			body: '{"externalId": "pg-nodes-refused",'
		});
		expect(malformed.status).toBe(400);
		expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe(
			'invalid_json'
		);
		// pg-nodes-1 again with another quantity: the same externalId, a different sale.
		const conflict = await sellOn(a, 'pg-nodes-1', season.people[0].email, 5);
		expect(conflict.status).toBe(409);
		expect(await storedSales('pg-nodes-')).toEqual(before);
	});

	it('ends a season once while both schedulers race for it: one result, one archive, one rerun', async () => {
		/** The `season` frames a board of the ending season on `server` hears. */
		const framesOn = async (server: RunningServer) => {
			const socket = await connected(socketFor(server.url, session));
			const ack = await socket.timeout(10_000).emitWithAck('watch', { seasonId: ending.seasonId });
			expect('error' in ack).toBe(false);
			const frames: SeasonEvent[] = [];
			socket.on('season', (event) => frames.push(event));
			return frames;
		};
		const onA = await framesOn(a);
		const onB = await framesOn(b);
		const { season: seasonTable, schedulerLease, seasonTransition, seasonResult } = store.tables;
		// The end a moment ahead, and the lease running out at that very moment: each node asks
		// PostgreSQL for the next transition once a second (scheduler.ts), both wake at the end,
		// and the lease lets one through.
		const endsAt = Date.now() + 2_500;
		await store.db.transaction(async (tx) => {
			await tx.update(seasonTable).set({ endsAt }).where(eq(seasonTable.id, ending.seasonId));
			await tx
				.update(schedulerLease)
				.set({ expiresAt: endsAt + 5 })
				.where(eq(schedulerLease.name, 'scheduler'));
		});
		const statusOf = async (id: number) =>
			(
				await store.db
					.select({ status: seasonTable.status })
					.from(seasonTable)
					.where(eq(seasonTable.id, id))
			)[0]?.status;
		let status: string | undefined;
		await waitFor(
			async () => (status = await statusOf(ending.seasonId)) === 'archived',
			20_000,
			'the season to be archived'
		);
		expect(status).toBe('archived');
		// The other node has had its turn (it ran at the end too) and the frames have arrived.
		await new Promise((resolve) => setTimeout(resolve, 2_500));
		const transitions = await store.db
			.select({ to: seasonTransition.toStatus })
			.from(seasonTransition)
			.where(eq(seasonTransition.seasonId, ending.seasonId));
		expect(transitions.map((t) => t.to).sort()).toEqual(['archived', 'ended']);
		const results = await store.db
			.select({ type: seasonResult.subjectType, id: seasonResult.subjectId })
			.from(seasonResult)
			.where(eq(seasonResult.seasonId, ending.seasonId));
		expect(results.length).toBeGreaterThan(0);
		expect(new Set(results.map((r) => `${r.type}:${r.id}`)).size).toBe(results.length);
		expect(
			results
				.filter((r) => r.type === 'user')
				.map((r) => r.id)
				.sort()
		).toEqual(ending.people.map((p) => p.id).sort());
		const reruns = await store.db
			.select({ id: seasonTable.id, status: seasonTable.status })
			.from(seasonTable)
			.where(eq(seasonTable.previousSeasonId, ending.seasonId));
		expect(reruns).toHaveLength(1);
		expect(reruns[0].status).toBe('live');
		// One node made each transition (shared/jobs.ts logs the ones its scheduler made), and
		// the other did not run into the database's guards: the lease kept it out.
		const logged = (to: string) =>
			[a, b].filter((server) => server.output().includes(`season ${ending.seasonId} is now ${to}`))
				.length;
		expect([logged('ended'), logged('archived')]).toEqual([1, 1]);
		for (const server of [a, b]) expect(server.output()).not.toContain('season scheduler failed');
		// Each frame once on each node: from the node that ran the transition, through Redis.
		const expected = [
			{ seasonId: ending.seasonId, status: 'ended', nextSeasonId: reruns[0].id },
			{ seasonId: ending.seasonId, status: 'archived' }
		];
		await waitFor(() => onA.length >= 2 && onB.length >= 2, 5_000, 'the season frames');
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
					answers[i] = await sellOn(onA ? a : b, `pg-nodes-burst-${i}`, season.people[i % 4].email);
					if (onA) answeredByA++;
				} catch {
					// The connection died with the node: not acknowledged.
				}
			})
		);
		await killed;
		await a.stop();
		const acknowledged = answers
			.map((answer, i) => ({ answer, externalId: `pg-nodes-burst-${i}` }))
			.filter(({ answer }) => answer && answer.status >= 200 && answer.status < 300);
		// B's half all answered, and A's first five at least.
		expect(acknowledged.length).toBeGreaterThanOrEqual(burst / 2 + 5);
		const stored = await storedSales('pg-nodes-burst-');
		const byExternalId = new Map(stored.map((row) => [row.externalId, row]));
		expect(byExternalId.size).toBe(stored.length);
		for (const { answer, externalId } of acknowledged)
			expect(byExternalId.get(externalId)?.id, externalId).toBe(answer!.body.sale!.id);
		for (const row of stored) expect(row.entries, row.externalId).toBe(1);
		// Each seller's standing equals their ledger: nothing a dead node half-wrote is counted.
		const { ledgerEntry, standing } = store.tables;
		for (const person of season.people) {
			const ledger = await store.db
				.select({ status: ledgerEntry.status, points: sum(ledgerEntry.points).mapWith(Number) })
				.from(ledgerEntry)
				.where(and(eq(ledgerEntry.seasonId, season.seasonId), eq(ledgerEntry.userId, person.id)))
				.groupBy(ledgerEntry.status);
			const [stand] = await store.db
				.select({ confirmed: standing.confirmedPoints, provisional: standing.provisionalPoints })
				.from(standing)
				.where(
					and(
						eq(standing.seasonId, season.seasonId),
						eq(standing.subjectType, 'user'),
						eq(standing.subjectId, person.id)
					)
				);
			const of = (status: string) => ledger.find((l) => l.status === status)?.points ?? 0;
			expect(of('confirmed') + of('provisional'), person.email).toBeGreaterThan(0);
			expect(stand, person.email).toEqual({
				confirmed: of('confirmed'),
				provisional: of('provisional')
			});
		}
	});
});
