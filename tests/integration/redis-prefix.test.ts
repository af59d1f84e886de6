// REDIS_PREFIX: two installs (a staging and a production, say) share one Redis without seeing
// each other's pushes, and every name a node keeps there (the adapter's stream, its PUB/SUB
// channels, the dropped sockets' sessions) starts with its prefix.
//
// All three nodes open the same database file on purpose: were the prefix ignored, the node of
// the other install would read the very sale it was told about and push it, so silence there
// can only come from the prefix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { startServer, type RunningServer } from '../helpers/server';
import { startRedis, type TestRedis } from '../helpers/redis';
import { postSale } from '../helpers/sales';
import { makeUser } from '../helpers/factories';
import {
	apiTokenFor,
	connect,
	PASSWORD,
	seedServerDb,
	signIn,
	socketFor,
	waitFor,
	type ClientSocket,
	type SeededDb
} from '../helpers/seeded';
import { openDatabase } from '../../src/lib/server/db';
import type { LeaderboardPush, SeasonEvent, WatchAck } from '../../src/lib/realtime/events';

let seeded: SeededDb;
let redis: TestRedis;
/** Two nodes of one install (prefix `hb-staging`) and one of another (`hb-production`). */
let staging1: RunningServer;
let staging2: RunningServer;
let production: RunningServer;
let token: string;
let session: string;
const MANAGER = 'manager@test.test';
const sockets: ClientSocket[] = [];
const OCCURRED_AT = new Date(Date.now() - 60_000).toISOString();

function node(prefix: string): Promise<RunningServer> {
	return startServer({
		dbPath: seeded.path,
		env: { REDIS_URL: redis.url, REDIS_PREFIX: prefix, HONORBOARD_SOCKET_CHECK_MS: '600000' }
	});
}

beforeAll(async () => {
	seeded = await seedServerDb({ teams: 2, people: 4 });
	const db = openDatabase(seeded.path);
	await makeUser(db, { email: MANAGER, role: 'manager', password: PASSWORD });
	db.$client.close();
	token = apiTokenFor(seeded.path);
	redis = await startRedis();
	// One after the other: the first opens (and migrates) the file.
	staging1 = await node('hb-staging');
	staging2 = await node('hb-staging');
	production = await node('hb-production');
	session = await signIn(staging1.url, seeded.people[0].email);
}, 120_000);

afterAll(async () => {
	for (const socket of sockets) socket.disconnect();
	await Promise.all([staging1?.stop(), staging2?.stop(), production?.stop()]);
	await redis?.stop();
	seeded?.cleanup();
});

/** A board on `server`, counting the leaderboard pushes and season events that reach it. */
async function watcherOn(server: RunningServer) {
	const socket = socketFor(server.url, session);
	sockets.push(socket);
	await connect(socket);
	const ack = (await socket
		.timeout(10_000)
		.emitWithAck('watch', { seasonId: seeded.seasonId })) as WatchAck;
	if ('error' in ack) throw new Error(ack.error.code);
	const seen = { pushes: 0, feed: new Set<string>(), events: [] as SeasonEvent[] };
	socket.on('leaderboard', (push: LeaderboardPush) => {
		seen.pushes++;
		for (const item of push.activity ?? []) seen.feed.add(item.id);
	});
	socket.on('season', (event) => seen.events.push(event));
	return seen;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every key in the Redis, and every PUB/SUB channel someone listens to. */
async function namesInRedis(): Promise<{ keys: string[]; channels: string[] }> {
	const client = createClient({ url: redis.url });
	await client.connect();
	try {
		const keys: string[] = [];
		for await (const batch of client.scanIterator({ MATCH: '*', COUNT: 100 })) keys.push(...batch);
		const channels = await client.pubSubChannels();
		return { keys: keys.sort(), channels: channels.sort() };
	} finally {
		client.destroy();
	}
}

describe('REDIS_PREFIX', () => {
	it("pushes a sale to the nodes of its own install, never to another install's", async () => {
		// What is checked is the sale's feed item, not the count of pushes: a node may push its
		// board for reasons of its own (the contest formats' views, a re-rank), and all three
		// read one database, so a push there may well show the other install's points.
		const sameInstall = await watcherOn(staging2);
		const otherInstall = await watcherOn(production);
		const staging = await postSale<{ sale: { id: number } }>(staging1.url, token, {
			externalId: 'prefix-staging-1',
			seller: seeded.people[1].email,
			occurredAt: OCCURRED_AT
		});
		expect(staging.status).toBe(201);
		const stagingItem = `sale:${staging.body.sale.id}`;
		await waitFor(() => sameInstall.feed.has(stagingItem), 10_000, 'the sale on the same prefix');
		// The other install would have had it by now too (same Redis, same database).
		await pause(1_500);
		expect(otherInstall.feed.has(stagingItem)).toBe(false);
		// And the other way round: production's sale stays in production.
		const production1 = await postSale<{ sale: { id: number } }>(production.url, token, {
			externalId: 'prefix-production-1',
			seller: seeded.people[1].email,
			occurredAt: OCCURRED_AT
		});
		expect(production1.status).toBe(201);
		const productionItem = `sale:${production1.body.sale.id}`;
		await waitFor(
			() => otherInstall.feed.has(productionItem),
			10_000,
			"the sale on production's own node"
		);
		await pause(1_500);
		expect(sameInstall.feed.has(productionItem)).toBe(false);
	});

	it('keeps the stream of season events to one install', async () => {
		const sameInstall = await watcherOn(staging2);
		const otherInstall = await watcherOn(production);
		const manager = await signIn(staging1.url, MANAGER);
		const response = await fetch(`${staging1.url}/manage/seasons/${seeded.seasonId}?/announce`, {
			method: 'POST',
			body: new URLSearchParams({ announcement: 'Staging only' }),
			headers: {
				origin: staging1.url,
				cookie: `session=${manager}`,
				accept: 'text/html',
				'content-type': 'application/x-www-form-urlencoded'
			},
			redirect: 'manual'
		});
		expect(response.status).toBeLessThan(400);
		await waitFor(() => sameInstall.events.length > 0, 10_000, 'the announcement on staging');
		await pause(1_500);
		expect(otherInstall.events).toEqual([]);
	});

	it('names every key and channel it keeps in Redis with its prefix', async () => {
		// A node stopping keeps its sockets' sessions in Redis (connection-state recovery).
		expect(await staging2.stop()).toBe(0);
		const { keys, channels } = await namesInRedis();
		const prefixed = (name: string) => /^hb-(staging|production):/.test(name);
		expect(keys.filter((key) => !prefixed(key))).toEqual([]);
		expect(channels.filter((channel) => !prefixed(channel))).toEqual([]);
		// The stream the announcement went through, and the sessions of staging2's sockets.
		expect(keys).toContain('hb-staging:socket.io');
		expect(keys.some((key) => key.startsWith('hb-staging:session:'))).toBe(true);
		// Both installs listen on their own channels.
		expect(channels.some((channel) => channel.startsWith('hb-staging:'))).toBe(true);
		expect(channels.some((channel) => channel.startsWith('hb-production:'))).toBe(true);
	});

	it('refuses a prefix that could run into other names, in one line', async () => {
		const error = await startServer({
			dbPath: seeded.path,
			env: { REDIS_URL: redis.url, REDIS_PREFIX: 'two words' }
		}).then(
			() => null,
			(e: Error) => e
		);
		expect(error?.message).toMatch(/server exited with 1/);
		expect(error?.message).toMatch(
			/REDIS_PREFIX .*two words.* is not usable \(up to 64 letters, digits and \. _ - :\): not starting/
		);
	});
});
