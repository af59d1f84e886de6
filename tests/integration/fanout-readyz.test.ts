// HONORBOARD_FANOUT=process with REDIS_URL: the sockets, and the adapter's link to Redis, live in
// the fan-out child. /readyz must answer for them too: 503 while the child is gone (no board can
// connect) and while the child's own link to Redis is down, even though the writer's link is up.
// Before, /readyz asked the writer's link alone and answered 200 in both cases.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { startServer, type RunningServer } from '../helpers/server';
import { startRedis, type TestRedis } from '../helpers/redis';
import { seedServerDb, waitFor, type SeededDb } from '../helpers/seeded';

let seeded: SeededDb;
let redis: TestRedis;
let server: RunningServer;
let admin: ReturnType<typeof createClient>;

beforeAll(async () => {
	seeded = await seedServerDb({ teams: 1, people: 2 });
	redis = await startRedis();
	server = await startServer({
		dbPath: seeded.path,
		env: { REDIS_URL: redis.url, HONORBOARD_FANOUT: 'process' }
	});
	admin = createClient({ url: redis.url });
	await admin.connect();
}, 120_000);

afterAll(async () => {
	await admin?.close().catch(() => {});
	await server?.stop();
	await redis?.stop();
	seeded?.cleanup();
});

async function ready() {
	const response = await fetch(`${server.url}/readyz`);
	const body = (await response.json()) as { checks: Record<string, string> };
	return { status: response.status, redis: body.checks.redis, fanout: body.checks.fanout };
}

/** The fan-out process: the server's only child process. */
function fanoutPid(): number {
	const pids = execFileSync('pgrep', ['-P', String(server.process.pid)], { encoding: 'utf8' })
		.trim()
		.split('\n')
		.map(Number);
	expect(pids).toHaveLength(1);
	return pids[0];
}

describe('/readyz with the fan-out process and Redis', () => {
	it('is 200 with the child alive and both links up', async () => {
		await waitFor(async () => (await ready()).status === 200, 20_000, '/readyz 200');
		expect(await ready()).toEqual({ status: 200, redis: 'up', fanout: 'up' });
	});

	it("is 503 while the child's own link to Redis is down, the writer's being up", async () => {
		// The adapter's subscriber is the only PUB/SUB connection, and it is the child's. It is
		// cut, and Redis refuses new connections meanwhile, so that it cannot come back.
		const clients = (await admin.clientList()).length;
		await admin.configSet('maxclients', String(clients - 1));
		try {
			await admin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
			await waitFor(async () => (await ready()).status === 503, 10_000, '/readyz 503');
			expect(await ready()).toEqual({ status: 503, redis: 'down', fanout: 'up' });
		} finally {
			await admin.configSet('maxclients', '10000');
		}
		await waitFor(async () => (await ready()).status === 200, 20_000, '/readyz 200 again');
		expect(await ready()).toEqual({ status: 200, redis: 'up', fanout: 'up' });
	});

	it('is 503 while the child is gone, and 200 once the writer has started it again', async () => {
		const pid = fanoutPid();
		process.kill(pid, 'SIGKILL');
		await waitFor(async () => (await ready()).status === 503, 10_000, '/readyz 503');
		expect((await ready()).fanout).toBe('down');
		await waitFor(async () => (await ready()).status === 200, 30_000, '/readyz 200 again');
		expect(await ready()).toEqual({ status: 200, redis: 'up', fanout: 'up' });
		expect(fanoutPid()).not.toBe(pid);
		expect(server.process.exitCode, server.output()).toBeNull();
	});
});
