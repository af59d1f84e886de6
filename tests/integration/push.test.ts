// Web push end to end: a signed-in person stores this browser's subscription, earns a badge, and
// a local stand-in for the push service (127.0.0.1) receives one encrypted POST signed with the
// server's VAPID key; a 410 drops that device; an opted-out person gets nothing; nobody removes
// another person's device; the key pair outlives a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createDecipheriv, createECDH, hkdfSync, randomBytes } from 'node:crypto';
import { freePort, startServer, type RunningServer } from '../helpers/server';
import { postSale } from '../helpers/sales';
import {
	apiTokenFor,
	PASSWORD,
	readDb,
	seedServerDb,
	signIn,
	waitFor,
	type SeededDb
} from '../helpers/seeded';
import { makeMember } from '../helpers/factories';
import { openDatabase } from '../../src/lib/server/db';
import { sqliteStore } from '../../src/lib/server/db/store';
import { createBadge } from '../../src/lib/server/badges/commands';
import { setWanted } from '../../src/lib/server/notify/preferences';

// Ports the OS picks (a fixed pair clashed with other workers' ranges): the server, kept for its
// restart, and the push service stand-in, which the devices' endpoints name.
let serverPort: number;
let PUSH: string;

interface Received {
	path: string;
	headers: IncomingHttpHeaders;
	body: Buffer;
}

/** A browser's side of a subscription: its key pair and auth secret, to read what arrives. */
function device(path: string) {
	const ecdh = createECDH('prime256v1');
	ecdh.generateKeys();
	const auth = randomBytes(16);
	return {
		ecdh,
		auth,
		// Read once the push service stand-in listens: its port names the endpoint.
		get json() {
			return {
				endpoint: `${PUSH}${path}`,
				expirationTime: null,
				keys: {
					p256dh: ecdh.getPublicKey().toString('base64url'),
					auth: auth.toString('base64url')
				}
			};
		}
	};
}

/** Decrypts an aes128gcm body (RFC 8188, keys as RFC 8291 derives them). */
function decrypt(body: Buffer, to: ReturnType<typeof device>): string {
	const salt = body.subarray(0, 16);
	const idLength = body[20];
	const senderKey = body.subarray(21, 21 + idLength);
	const secret = to.ecdh.computeSecret(senderKey);
	const info = Buffer.concat([Buffer.from('WebPush: info\0'), to.ecdh.getPublicKey(), senderKey]);
	const ikm = Buffer.from(hkdfSync('sha256', secret, to.auth, info, 32));
	const derive = (label: string, length: number) =>
		Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from(`Content-Encoding: ${label}\0`), length));
	const record = body.subarray(21 + idLength);
	const decipher = createDecipheriv('aes-128-gcm', derive('aes128gcm', 16), derive('nonce', 12));
	decipher.setAuthTag(record.subarray(record.length - 16));
	const plain = Buffer.concat([
		decipher.update(record.subarray(0, record.length - 16)),
		decipher.final()
	]);
	return plain.subarray(0, plain.lastIndexOf(2)).toString();
}

let seeded: SeededDb;
let server: RunningServer;
let pushService: Server;
let token: string;
const received: Received[] = [];
const answers = new Map<string, number>([['/gone', 410]]);
const people = { sam: '', other: '', optedOut: '' };
const ids = { sam: 0, other: 0, optedOut: 0 };
const devices = {
	sam: device('/sam'),
	gone: device('/gone'),
	other: device('/other'),
	optedOut: device('/opted')
};

beforeAll(async () => {
	seeded = await seedServerDb();
	const db = openDatabase(seeded.path);
	await createBadge(
		sqliteStore(db),
		seeded.seasonId,
		{
			name: 'Hat-trick',
			emoji: '🎩',
			description: 'Your first sale',
			points: 0,
			criterion: { kind: 'first_sale' },
			active: true
		},
		{ userId: null }
	);
	const other = await makeMember(db, seeded.seasonId, seeded.teams[0].id, {
		email: 'other@test.test',
		password: PASSWORD
	});
	const optedOut = await makeMember(db, seeded.seasonId, seeded.teams[1].id, {
		email: 'quiet@test.test',
		password: PASSWORD
	});
	ids.sam = seeded.people[0].id;
	ids.other = other.id;
	ids.optedOut = optedOut.id;
	await setWanted(sqliteStore(db), optedOut.id, 'push', 'badge', false);
	db.$client.close();
	token = apiTokenFor(seeded.path);
	pushService = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
			res.writeHead(answers.get(req.url ?? '') ?? 201).end();
		});
	});
	const pushPort = await freePort();
	PUSH = `http://127.0.0.1:${pushPort}`;
	await new Promise<void>((done) => pushService.listen(pushPort, '127.0.0.1', done));
	serverPort = await freePort();
	server = await startServer({ dbPath: seeded.path, port: serverPort });
	people.sam = await signIn(server.url, seeded.people[0].email);
	people.other = await signIn(server.url, 'other@test.test');
	people.optedOut = await signIn(server.url, 'quiet@test.test');
}, 120_000);

afterAll(async () => {
	await server?.stop();
	await new Promise((done) => pushService?.close(done));
	seeded?.cleanup();
});

function api(method: string, session: string | null, body?: unknown, origin = server.url) {
	return fetch(`${server.url}/api/push`, {
		method,
		headers: {
			origin,
			...(body === undefined ? {} : { 'content-type': 'application/json' }),
			...(session ? { cookie: `session=${session}` } : {}),
			'user-agent': 'Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile Safari/537.36'
		},
		body: body === undefined ? undefined : JSON.stringify(body)
	});
}

function sell(email: string, externalId: string) {
	return postSale(server.url, token, {
		externalId,
		seller: email,
		occurredAt: new Date().toISOString(),
		unitPrice: 100
	});
}

const subscriptions = () =>
	readDb(seeded.path, (db) =>
		db.prepare('select user_id as userId, endpoint from push_subscription order by id').all()
	) as { userId: number; endpoint: string }[];
const messages = (userId: number) =>
	readDb(seeded.path, (db) =>
		db
			.prepare(
				`select kind, recipient, subject, status, last_error as lastError from outgoing_message
				 where channel = 'push' and user_id = ? order by id`
			)
			.all(userId)
	) as { kind: string; recipient: string; subject: string; status: string; lastError: string }[];
const awarded = (userId: number) =>
	readDb(seeded.path, (db) =>
		db
			.prepare("select count(*) from award where subject_type = 'user' and subject_id = ?")
			.pluck()
			.get(userId)
	) as number;

let publicKey = '';

describe('web push', () => {
	it('gives the public key to signed-in people only', async () => {
		expect((await api('GET', null)).status).toBe(401);
		const answer = await api('GET', people.sam);
		expect(answer.status).toBe(200);
		publicKey = ((await answer.json()) as { publicKey: string }).publicKey;
		expect(Buffer.from(publicKey, 'base64url')).toHaveLength(65);
	});

	it('stores a subscription from the same site only, checked', async () => {
		expect((await api('POST', null, devices.sam.json)).status).toBe(401);
		expect((await api('POST', people.sam, devices.sam.json, 'https://evil.example')).status).toBe(
			403
		);
		const bad = await api('POST', people.sam, { endpoint: `${PUSH}/x`, keys: { p256dh: 'no' } });
		expect(bad.status).toBe(400);
		expect(((await bad.json()) as { error: { code: string } }).error.code).toBe(
			'invalid_subscription'
		);
		const plain = await api('POST', people.sam, {
			...devices.sam.json,
			endpoint: 'http://push.example.com/x'
		});
		expect(plain.status).toBe(400);
		expect(subscriptions()).toEqual([]);
		for (const [who, d] of [
			['sam', devices.sam],
			['sam', devices.gone],
			['other', devices.other],
			['optedOut', devices.optedOut]
		] as const)
			expect((await api('POST', people[who], d.json)).status).toBe(201);
		// The same browser again: one row still.
		expect((await api('POST', people.sam, devices.sam.json)).status).toBe(201);
		expect(subscriptions().map((s) => s.endpoint)).toEqual([
			`${PUSH}/sam`,
			`${PUSH}/gone`,
			`${PUSH}/other`,
			`${PUSH}/opted`
		]);
	});

	it("refuses to remove or take over another person's device", async () => {
		const answer = await api('DELETE', people.other, { endpoint: `${PUSH}/sam` });
		expect(answer.status).toBe(404);
		// Nor take it over by its endpoint alone (without the browser's keys).
		const takeover = await api('POST', people.other, {
			...devices.other.json,
			endpoint: `${PUSH}/sam`
		});
		expect(takeover.status).toBe(409);
		expect(subscriptions()[0]).toMatchObject({ userId: ids.sam, endpoint: `${PUSH}/sam` });
		expect(subscriptions()).toHaveLength(4);
	});

	it('sends a badge once per device, encrypted and VAPID-signed; a 410 drops the device', async () => {
		expect((await sell(seeded.people[0].email, 'push-1')).status).toBe(201);
		await waitFor(() => received.length >= 2, 10_000);
		const sam = received.filter((r) => r.path === '/sam');
		expect(sam).toHaveLength(1);
		const [push] = sam;
		expect(push.headers.authorization).toMatch(
			new RegExp(`^vapid t=[\\w-]+\\.[\\w-]+\\.[\\w-]+, k=${publicKey}$`)
		);
		expect(push.headers.ttl).toBe('86400');
		expect(push.headers.urgency).toBe('normal');
		expect(push.headers['content-encoding']).toBe('aes128gcm');
		expect(JSON.parse(decrypt(push.body, devices.sam))).toMatchObject({
			title: 'You earned 🎩 Hat-trick',
			body: 'Your first sale',
			url: '/me'
		});
		await waitFor(() => subscriptions().length === 3, 5_000);
		expect(subscriptions().map((s) => s.endpoint)).not.toContain(`${PUSH}/gone`);
		expect(messages(ids.sam).map((m) => [m.kind, m.recipient, m.status])).toEqual([
			['badge', 'Android · Chrome', 'sent'],
			['badge', 'Android · Chrome', 'failed']
		]);
		expect(messages(ids.sam)[1].lastError).toContain('410');
	});

	it('sends nothing to a person who switched the kind off', async () => {
		expect((await sell('quiet@test.test', 'push-2')).status).toBe(201);
		await waitFor(() => awarded(ids.optedOut) === 1, 5_000);
		// Queued in the award's transaction or never: no row now means no push ever.
		expect(messages(ids.optedOut)).toEqual([]);
		expect(received.filter((r) => r.path === '/opted')).toEqual([]);
	});

	it('keeps the key pair across a restart', async () => {
		await server.stop();
		server = await startServer({ dbPath: seeded.path, port: serverPort });
		const session = await signIn(server.url, 'other@test.test');
		const answer = await api('GET', session);
		expect(((await answer.json()) as { publicKey: string }).publicKey).toBe(publicKey);
		const stored = readDb(seeded.path, (db) =>
			db
				.prepare(`select name from server_secret where name like 'vapid%' order by name`)
				.pluck()
				.all()
		);
		expect(stored).toEqual(['vapid_private_key', 'vapid_public_key']);
		// …and the person can turn it off on their own device.
		expect((await api('DELETE', session, { endpoint: `${PUSH}/other` })).status).toBe(200);
		expect(subscriptions().map((s) => s.endpoint)).toEqual([`${PUSH}/sam`, `${PUSH}/opted`]);
	});
});
