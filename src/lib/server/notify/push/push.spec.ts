// The push pieces without a server: what is queued (once an hour for overtakes, in the person's
// language, only to who wants it), how a send ends (sent, retried, device gone), the VAPID pair
// and the subscriptions' checks. tests/integration/push.test.ts runs them in the built server.
import { beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { openDatabase, type Db } from '../../db';
import { sqliteStore, type Store } from '../../db/store';
import { outgoingMessage, pushSubscription, user } from '../../db/schema';
import { setWanted } from '../preferences';
import { queueOvertaken } from './queue';
import { sendDuePushes, MAX_PUSH_ATTEMPTS } from './send';
import { deviceLabel, pushSubscriptionInput, refusedEndpoint, subscribe } from './subscriptions';
import { forgetVapidKeys, vapidKeys, vapidSubject } from './vapid';

const HOUR = 60 * 60 * 1000;
const T0 = Date.UTC(2026, 11, 2, 10, 30);
const KEYS = { p256dh: 'B'.repeat(87), auth: 'A'.repeat(22) };
let db: Db;
let store: Store;
let sam: number;
let alex: number;

function fresh() {
	db = openDatabase(':memory:');
	store = sqliteStore(db);
	forgetVapidKeys();
	const add = (email: string, displayName: string, locale: 'nl' | null) =>
		db
			.insert(user)
			.values({ email, displayName, role: 'participant', passwordHash: 'x', locale })
			.returning()
			.get().id;
	sam = add('sam@test.test', 'Sam', null);
	alex = add('alex@test.test', 'Alex', 'nl');
}

const overtake = (userId: number, byUserId: number, at: number) =>
	queueOvertaken(store, { seasonId: 1, userId, byUserId, rank: 2, previousRank: 1, at });
const rows = () => db.select().from(outgoingMessage).all();

describe('queueing', () => {
	beforeEach(fresh);

	it('queues nothing for a person without a device', async () => {
		expect(await overtake(alex, sam, T0)).toBe(0);
		expect(rows()).toEqual([]);
	});

	it('tells an overtake once an hour per device, in the person’s language', async () => {
		await subscribe(store, alex, { endpoint: 'https://push.example/a', keys: KEYS }, null, T0);
		await subscribe(store, alex, { endpoint: 'https://push.example/b', keys: KEYS }, null, T0);
		expect(await overtake(alex, sam, T0)).toBe(2);
		expect(await overtake(alex, sam, T0 + HOUR / 2)).toBe(0);
		expect(await overtake(alex, sam, T0 + HOUR + 1)).toBe(2);
		expect(rows()[0]).toMatchObject({
			channel: 'push',
			kind: 'overtaken',
			subject: 'Sam heeft je ingehaald',
			body: 'Je staat nu op plaats 2.',
			payload: { url: '/' }
		});
		expect(rows()).toHaveLength(4);
	});

	it('tells nothing to a person who switched overtakes off', async () => {
		await subscribe(store, sam, { endpoint: 'https://push.example/s', keys: KEYS }, null, T0);
		await setWanted(store, sam, 'push', 'overtaken', false);
		expect(await overtake(sam, alex, T0)).toBe(0);
		await setWanted(store, sam, 'push', 'overtaken', true);
		expect(await overtake(sam, alex, T0)).toBe(1);
		expect(rows()[0].subject).toBe('You were overtaken by Alex');
	});
});

describe('sending', () => {
	beforeEach(fresh);

	const device = async () => {
		const ecdh = (await import('node:crypto')).createECDH('prime256v1');
		ecdh.generateKeys();
		await subscribe(
			store,
			sam,
			{
				endpoint: 'https://push.example/s',
				keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: 'A'.repeat(22) }
			},
			null,
			T0
		);
		await overtake(sam, alex, T0);
	};

	it('retries a failure with backoff, then gives up', async () => {
		await device();
		let calls = 0;
		const post = async () => {
			calls += 1;
			throw Object.assign(new Error('HTTP 503'), { status: 503 });
		};
		let now = T0;
		for (let i = 0; i < MAX_PUSH_ATTEMPTS + 2; i++) {
			await sendDuePushes(store, { clock: () => now, post });
			now += 20 * 60 * 1000;
		}
		expect(calls).toBe(MAX_PUSH_ATTEMPTS);
		expect(rows()[0]).toMatchObject({ status: 'failed', attempts: MAX_PUSH_ATTEMPTS });
		expect(db.select().from(pushSubscription).all()).toHaveLength(1);
	});

	it('sends with the TTL and urgency of the kind, and records it sent', async () => {
		await device();
		const seen: Record<string, string>[] = [];
		const post = async (_url: string, headers: Record<string, string>) => {
			seen.push(headers);
			return { status: 201 };
		};
		expect(await sendDuePushes(store, { clock: () => T0, post })).toBe(1);
		expect(await sendDuePushes(store, { clock: () => T0 + 1000, post })).toBe(0);
		expect(seen[0]).toMatchObject({ TTL: '3600', Urgency: 'high' });
		expect(rows()[0]).toMatchObject({ status: 'sent', sentAt: T0 });
	});

	it('skips a message whose device is gone', async () => {
		await device();
		db.delete(pushSubscription).where(eq(pushSubscription.userId, sam)).run();
		expect(
			await sendDuePushes(store, { clock: () => T0, post: async () => ({ status: 201 }) })
		).toBe(0);
		expect(rows()[0].status).toBe('skipped');
	});
});

describe('VAPID keys', () => {
	beforeEach(fresh);

	it('are made once and read back', async () => {
		const made = await vapidKeys(store, {});
		forgetVapidKeys();
		expect(await vapidKeys(store, {})).toEqual(made);
		expect(made.subject).toBe('mailto:push@honorboard.invalid');
	});

	it('come from the environment when both are set', async () => {
		expect(
			await vapidKeys(store, { VAPID_PUBLIC_KEY: 'pub', VAPID_PRIVATE_KEY: 'priv' })
		).toMatchObject({
			publicKey: 'pub',
			privateKey: 'priv'
		});
		forgetVapidKeys();
		await expect(vapidKeys(store, { VAPID_PUBLIC_KEY: 'pub' })).rejects.toThrow(/both/);
	});

	it.each([
		[{ VAPID_SUBJECT: 'mailto:ops@example.com' }, 'mailto:ops@example.com'],
		[{ ORIGIN: 'https://contest.example.com' }, 'https://contest.example.com'],
		[{ ORIGIN: 'http://intranet.local:3000' }, 'mailto:push@intranet.local']
	])('have a subject: %o', (env, subject) => {
		expect(vapidSubject(env)).toBe(subject);
	});

	it('refuse a subject that is neither mailto: nor https:', () => {
		expect(() => vapidSubject({ VAPID_SUBJECT: 'ops@example.com' })).toThrow(/VAPID_SUBJECT/);
	});
});

describe('subscriptions', () => {
	it('passes a device to another person only with its keys', async () => {
		fresh();
		const at = { endpoint: 'https://push.example/shared', keys: KEYS };
		expect(await subscribe(store, sam, at, null, T0)).toBe(true);
		const other = { ...at, keys: { ...KEYS, auth: 'C'.repeat(22) } };
		expect(await subscribe(store, alex, other, null, T0)).toBe(false);
		expect(db.select().from(pushSubscription).get()).toMatchObject({ userId: sam });
		expect(await subscribe(store, alex, at, null, T0)).toBe(true);
		expect(await subscribe(store, alex, other, null, T0)).toBe(true);
		expect(db.select().from(pushSubscription).all()).toMatchObject([
			{ userId: alex, auth: 'C'.repeat(22) }
		]);
	});

	it.each([
		['https://fcm.googleapis.com/fcm/send/x', false, null],
		['http://push.example.com/x', true, 'The endpoint must be an https: URL'],
		['http://127.0.0.1:4000/x', false, 'The endpoint must be an https: URL'],
		['http://127.0.0.1:4000/x', true, null],
		['https://u:p@push.example.com/x', false, 'The endpoint must not carry credentials']
	])('%s (private allowed: %s) → %s', (endpoint, allowPrivate, refusal) => {
		expect(refusedEndpoint(endpoint, allowPrivate)).toBe(refusal);
	});

	it('reads a browser’s subscription and refuses what is not one', () => {
		expect(
			pushSubscriptionInput.safeParse({ endpoint: 'https://p.example/x', keys: KEYS }).success
		).toBe(true);
		expect(pushSubscriptionInput.safeParse({ endpoint: 'https://p.example/x' }).success).toBe(
			false
		);
		expect(pushSubscriptionInput.safeParse({ endpoint: 'nope', keys: KEYS }).success).toBe(false);
	});

	it.each([
		[
			'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36',
			'Android · Chrome'
		],
		[
			'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Mobile/15E148 Safari/604.1',
			'iPhone · Safari'
		],
		[null, 'Browser']
	])('names a device: %s', (ua, label) => {
		expect(deviceLabel(ua)).toBe(label);
	});
});
