// Two app nodes whose Redis dies under them (SIGKILL: no goodbye, the way a crash or an OOM kill
// ends it) and comes back on the same port. The nodes must stay up and keep taking sales (the
// database is theirs, not Redis's), /readyz must say that the link is down (503, checks.redis
// "down") so that a proxy stops sending boards to a node that misses the others' sales, and
// once Redis is back the nodes must find each other again without a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../helpers/server';
import { startTwoNodes, type TwoNodes } from '../helpers/two-nodes';
import { postSale } from '../helpers/sales';
import { connect, readDb, signIn, waitFor } from '../helpers/seeded';
import type { WatchAck } from '../../src/lib/realtime/events';

let nodes: TwoNodes;
let a: RunningServer;
let b: RunningServer;
let session: string;
const OCCURRED_AT = new Date(Date.now() - 60_000).toISOString();

/** One sale by the same seller at the same time, on `server`. */
const sellOn = (server: RunningServer, externalId: string) =>
	postSale(server.url, nodes.token, {
		externalId,
		seller: nodes.seeded.people[1].email,
		occurredAt: OCCURRED_AT
	});

beforeAll(async () => {
	nodes = await startTwoNodes();
	({ a, b } = nodes);
	session = await signIn(a.url, nodes.seeded.people[0].email);
}, 120_000);

afterAll(() => nodes?.stop());

async function ready(server: RunningServer) {
	const response = await fetch(`${server.url}/readyz`);
	const body = (await response.json()) as { checks: Record<string, string> };
	return { status: response.status, redis: body.checks.redis };
}

/** A board on `server`: how many leaderboard pushes reached it. */
async function watcherOn(server: RunningServer) {
	const socket = nodes.socket(server.url, session);
	await connect(socket);
	const ack = (await socket
		.timeout(10_000)
		.emitWithAck('watch', { seasonId: nodes.seeded.seasonId })) as WatchAck;
	if ('error' in ack) throw new Error(ack.error.code);
	const seen = { pushes: 0 };
	socket.on('leaderboard', () => seen.pushes++);
	return seen;
}

function stored(externalIds: string[]): string[] {
	return readDb(nodes.seeded.path, (db) =>
		db
			.prepare(
				`select external_id from sale where external_id in (${externalIds.map(() => '?').join(',')})`
			)
			.pluck()
			.all(...externalIds)
	) as string[];
}

describe('a Redis that dies under two nodes and comes back', () => {
	it('reports the link in /readyz while Redis is up', async () => {
		expect(await ready(a)).toEqual({ status: 200, redis: 'up' });
		expect(await ready(b)).toEqual({ status: 200, redis: 'up' });
		const onB = await watcherOn(b);
		expect((await sellOn(a, 'link-before')).status).toBe(201);
		await waitFor(() => onB.pushes > 0, 10_000, 'a push on B for a sale on A');
	});

	it('keeps both nodes up and taking sales while Redis is gone, and /readyz says 503', async () => {
		// Redis hangs first, so that the commands the sales cause (the nodes telling each other,
		// over PUB/SUB) are sent and wait for an answer; then it dies, and they fail.
		nodes.redis.freeze();
		const ids = Array.from({ length: 10 }, (_, i) => `link-down-${i}`);
		const answers = await Promise.all(ids.map((id, i) => sellOn(i % 2 ? a : b, id)));
		expect(answers.map((x) => x.status)).toEqual(ids.map(() => 201));
		// The nodes tell each other once per tick, after the sales' transactions.
		await new Promise((resolve) => setTimeout(resolve, 300));
		await nodes.redis.kill();
		await waitFor(
			async () => (await ready(a)).status === 503 && (await ready(b)).status === 503,
			10_000,
			'/readyz 503 on both nodes'
		);
		expect(await ready(a)).toEqual({ status: 503, redis: 'down' });
		expect(await ready(b)).toEqual({ status: 503, redis: 'down' });
		// More sales with the link down for a while (the clients retrying in the background).
		for (let i = 0; i < 4; i++) {
			expect((await sellOn(i % 2 ? a : b, `link-down-later-${i}`)).status).toBe(201);
		}
		ids.push(...[0, 1, 2, 3].map((i) => `link-down-later-${i}`));
		await new Promise((resolve) => setTimeout(resolve, 1_000));
		// Liveness is not readiness: the process is fine.
		for (const server of [a, b]) {
			expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
			expect(server.process.exitCode, server.output()).toBeNull();
			expect(server.output()).not.toMatch(/unhandled|UnhandledPromiseRejection/i);
		}
		expect(stored(ids).sort()).toEqual([...ids].sort());
	});

	it('is ready again once Redis is back on its port, and the nodes see each other again', async () => {
		await nodes.restartRedis();
		await waitFor(
			async () => (await ready(a)).status === 200 && (await ready(b)).status === 200,
			20_000,
			'/readyz 200 on both nodes'
		);
		expect(await ready(a)).toEqual({ status: 200, redis: 'up' });
		expect(await ready(b)).toEqual({ status: 200, redis: 'up' });
		const onB = await watcherOn(b);
		expect((await sellOn(a, 'link-after')).status).toBe(201);
		await waitFor(() => onB.pushes > 0, 10_000, 'a push on B for a sale on A, after the return');
		for (const server of [a, b]) expect(server.process.exitCode, server.output()).toBeNull();
	});
});
