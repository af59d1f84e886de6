// The notifications ported onto the store (#20, db/store.ts): the mail outbox, its sender, the
// admins' message log, what a person receives and web push (devices, VAPID keys, the sender), with the same assertions on a temp SQLite file and a throwaway PostgreSQL
// (tests/helpers/postgres.ts). "Two nodes" are two stores on one database: two SQLite
// connections to one file, two PostgreSQL pools.
import { beforeEach, describe, expect, it } from 'vitest';
import { createECDH } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import { write, type Store } from '../../src/lib/server/db/store';
import { queueMailInWrite, type MailToQueue } from '../../src/lib/server/notify/mail/queue';
import {
	MAIL_CLAIM_MS,
	MAX_MAIL_ATTEMPTS,
	sendDueMails
} from '../../src/lib/server/notify/mail/sender';
import type { MailTransport, OutgoingMail } from '../../src/lib/server/notify/mail/transport';
import { messageLog } from '../../src/lib/server/notify/message-log';
import { optOutsOf, setWanted } from '../../src/lib/server/notify/preferences';
import {
	readReceiveForm,
	receiveChoices,
	saveReceiveChoices,
	type ReceiveChoice
} from '../../src/lib/server/notify/digest/receive-form';
import { subscribe, unsubscribe } from '../../src/lib/server/notify/push/subscriptions';
import { MAX_PUSH_ATTEMPTS, sendDuePushes } from '../../src/lib/server/notify/push/send';
import { forgetVapidKeys, vapidKeys } from '../../src/lib/server/notify/push/vapid';
import { twoNodesPerDialect } from '../helpers/store-nodes';

const nodes = twoNodesPerDialect('notify-store');

let people = 0;
async function makePerson(store: Store, role: 'participant' | 'manager' = 'participant') {
	const { user } = store.tables;
	const [row] = await store.db
		.insert(user)
		.values({
			email: `person${++people}@example.test`,
			displayName: `Person ${people}`,
			role,
			passwordHash: 'not-a-real-hash'
		})
		.returning({ id: user.id });
	return row.id;
}

/** The profile form as a browser sends it: every pair shown, the ticked ones as `on`. */
function receiveForm(choices: readonly ReceiveChoice[], extra: [string, string][] = []) {
	const form = new FormData();
	for (const c of choices) {
		form.append('shown', `${c.channel}:${c.kind}`);
		if (c.on) form.append('on', `${c.channel}:${c.kind}`);
	}
	for (const [name, value] of extra) form.append(name, value);
	return form;
}

let mails = 0;
function mail(overrides: Partial<MailToQueue> = {}): MailToQueue {
	mails += 1;
	return {
		userId: null,
		kind: 'password_reset',
		to: `someone${mails}@example.test`,
		subject: `Subject ${mails}`,
		text: `Text ${mails}`,
		html: `<p>Text ${mails}</p>`,
		...overrides
	};
}

/** A transport that lets the event loop run (as SMTP does) and records what it was given. */
function recording(fail?: string): { sent: OutgoingMail[]; transport: MailTransport } {
	const sent: OutgoingMail[] = [];
	return {
		sent,
		transport: async (m) => {
			await new Promise((resolve) => setTimeout(resolve, 1));
			if (fail) throw new Error(fail);
			sent.push(m);
			return { file: `outbox/${m.id}.eml` };
		}
	};
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: 0 | 1) => nodes[dialect][i];
	const queue = (store: Store, m: MailToQueue, now: number) =>
		write(store, (tx) => queueMailInWrite(tx, store, m, now));
	const outbox = async (store: Store) => {
		const { outgoingMessage } = store.tables;
		return store.db.select().from(outgoingMessage).orderBy(outgoingMessage.id);
	};

	beforeEach(async () => {
		const store = node(0);
		await store.db.delete(store.tables.outgoingMessage);
	});

	describe('the mail outbox and its sender', () => {
		it('a mail queued on one node is in the other’s log; a dedupe key queues it once', async () => {
			const first = mail({ dedupeKey: 'weekly:1' });
			expect(await queue(node(0), first, 1_000)).toBe(true);
			expect(await queue(node(1), mail({ dedupeKey: 'weekly:1' }), 2_000)).toBe(false);
			const log = await messageLog(node(1), { page: 1 });
			expect(log.total).toBe(1);
			expect(log.rows).toEqual([
				expect.objectContaining({
					channel: 'email',
					recipient: first.to,
					subject: first.subject,
					body: first.text,
					status: 'pending',
					attempts: 0,
					createdAt: 1_000,
					nextAttemptAt: 1_000,
					file: null
				})
			]);
		});

		it('two nodes sending together send every mail once', async () => {
			for (let i = 0; i < 12; i++) await queue(node(i % 2 === 0 ? 0 : 1), mail(), 1_000);
			const a = recording();
			const b = recording();
			const clock = () => 5_000;
			const [byA, byB] = await Promise.all([
				sendDueMails(node(0), { clock, transport: a.transport, claimer: 'a' }),
				sendDueMails(node(1), { clock, transport: b.transport, claimer: 'b' })
			]);
			expect(byA + byB).toBe(12);
			const ids = [...a.sent, ...b.sent].map((m) => m.id).sort((x, y) => x - y);
			const rows = await outbox(node(0));
			expect(ids).toEqual(rows.map((r) => r.id));
			for (const row of rows) {
				expect(row).toMatchObject({
					status: 'sent',
					sentAt: 5_000,
					attempts: 1,
					claimedBy: null,
					claimedUntil: null,
					lastError: null
				});
				expect(row.payload).toEqual({ html: expect.any(String), file: `outbox/${row.id}.eml` });
			}
			// Nothing is due any more, on either node.
			expect(await sendDueMails(node(1), { clock, transport: b.transport })).toBe(0);
		});

		it('a failure is retried later and marked failed after the last attempt', async () => {
			await queue(node(0), mail(), 1_000);
			const failing = recording('550 mailbox unavailable');
			let now = 1_000;
			const clock = () => now;
			for (let attempt = 1; attempt <= MAX_MAIL_ATTEMPTS; attempt++) {
				const store = node(attempt % 2 === 0 ? 1 : 0);
				expect(await sendDueMails(store, { clock, transport: failing.transport })).toBe(1);
				// Not due again before its backoff.
				expect(await sendDueMails(store, { clock, transport: failing.transport })).toBe(0);
				const [row] = await outbox(node(0));
				expect(row).toMatchObject({ attempts: attempt, lastError: '550 mailbox unavailable' });
				expect(row.status).toBe(attempt < MAX_MAIL_ATTEMPTS ? 'pending' : 'failed');
				expect(row.nextAttemptAt).toBeGreaterThan(now);
				now = row.nextAttemptAt;
			}
			expect(await sendDueMails(node(0), { clock, transport: recording().transport })).toBe(0);
			const failed = await messageLog(node(1), { status: 'failed', page: 1 });
			expect(failed.rows.map((r) => r.attempts)).toEqual([MAX_MAIL_ATTEMPTS]);
		});

		it('a mail another node claimed is left alone until the claim expires', async () => {
			await queue(node(0), mail(), 1_000);
			const { outgoingMessage } = node(0).tables;
			await node(0)
				.db.update(outgoingMessage)
				.set({ claimedBy: 'crashed', claimedUntil: 2_000 + MAIL_CLAIM_MS });
			const { sent, transport } = recording();
			expect(await sendDueMails(node(1), { clock: () => 2_000, transport })).toBe(0);
			const expired = () => 2_000 + MAIL_CLAIM_MS + 1;
			expect(await sendDueMails(node(1), { clock: expired, transport })).toBe(1);
			expect(sent).toHaveLength(1);
			const [row] = await outbox(node(0));
			expect(row).toMatchObject({ status: 'sent', claimedBy: null, attempts: 1 });
		});
	});

	describe('the message log', () => {
		it('filters by channel and status, newest first, keeps a page in range; mails only are sent', async () => {
			for (let i = 1; i <= 5; i++) await queue(node(i % 2 === 0 ? 0 : 1), mail(), i * 1_000);
			const { outgoingMessage } = node(0).tables;
			await node(0).db.insert(outgoingMessage).values({
				channel: 'push',
				kind: 'badge',
				recipient: 'device 1',
				subject: 'A badge',
				body: 'You earned a badge',
				payload: {},
				nextAttemptAt: 9_000,
				createdAt: 9_000
			});
			const all = await messageLog(node(1), { page: 1, perPage: 2 });
			expect(all).toMatchObject({ total: 6, page: 1, pages: 3 });
			expect(all.rows.map((r) => r.createdAt)).toEqual([9_000, 5_000]);
			const mailsOnly = await messageLog(node(0), { channel: 'email', page: 99, perPage: 2 });
			expect(mailsOnly).toMatchObject({ total: 5, page: 3, pages: 3 });
			expect(mailsOnly.rows.map((r) => r.createdAt)).toEqual([1_000]);
			const below = await messageLog(node(0), { channel: 'email', page: -4, perPage: 2 });
			expect(below.page).toBe(1);
			const none = await messageLog(node(1), { channel: 'slack', status: 'sent', page: 1 });
			expect(none).toEqual({ rows: [], total: 0, page: 1, pages: 1 });
			// The mail sender sends mails only: the push row waits for the push sender.
			const { transport } = recording();
			expect(await sendDueMails(node(1), { clock: () => 10_000, transport })).toBe(5);
			const [push] = await node(1)
				.db.select()
				.from(outgoingMessage)
				.where(eq(outgoingMessage.channel, 'push'));
			expect(push.status).toBe('pending');
		});
	});

	describe('what a person receives', () => {
		const offIn = (choices: ReceiveChoice[]) =>
			choices.filter((c) => !c.on).map((c) => `${c.channel}:${c.kind}`);

		it('a choice saved on one node is what the other shows; switching back is idempotent', async () => {
			const person = await makePerson(node(0));
			const shown = await receiveChoices(node(1), person, 'participant');
			expect(shown.every((c) => c.on)).toBe(true);
			expect(shown.map((c) => c.kind)).not.toContain('daily_summary');
			const choices = readReceiveForm(
				receiveForm(
					shown.map((c) => ({
						...c,
						on: !(c.kind === 'weekly_digest' || (c.channel === 'push' && c.kind === 'badge'))
					}))
				)
			);
			expect(choices).not.toBeNull();
			await saveReceiveChoices(node(0), person, choices!);
			expect(offIn(await receiveChoices(node(1), person, 'participant'))).toEqual([
				'email:weekly_digest',
				'push:badge'
			]);
			await setWanted(node(1), person, 'push', 'badge', true);
			await setWanted(node(1), person, 'push', 'badge', true);
			await setWanted(node(0), person, 'email', 'weekly_digest', false);
			expect(await optOutsOf(node(0), person)).toEqual(new Set(['email:weekly_digest']));
			const manager = await makePerson(node(1), 'manager');
			const forManager = await receiveChoices(node(0), manager, 'manager');
			expect(forManager.map((c) => c.kind)).toContain('daily_summary');
		});

		it('two saves at once on two nodes leave one of them whole, not a mix', async () => {
			const person = await makePerson(node(0));
			const shown = await receiveChoices(node(0), person, 'participant');
			const allOff = shown.map((c) => ({ ...c, on: false }));
			const emailOff = shown.map((c) => ({ ...c, on: c.channel !== 'email' }));
			for (let round = 0; round < 4; round++) {
				await Promise.all([
					saveReceiveChoices(node(0), person, allOff),
					saveReceiveChoices(node(1), person, emailOff)
				]);
				const off = offIn(
					await receiveChoices(node(round % 2 === 0 ? 1 : 0), person, 'participant')
				);
				expect([offIn(allOff), offIn(emailOff)]).toContainEqual(off);
			}
		});

		it('a form with anything that is not a switchable pair changes nothing', async () => {
			const person = await makePerson(node(0));
			await setWanted(node(0), person, 'email', 'badge', false);
			const shown = (await receiveChoices(node(1), person, 'participant')).map((c) => ({
				...c,
				on: false
			}));
			for (const bad of [
				receiveForm(shown, [['on', 'email:password_reset']]),
				receiveForm(shown, [['shown', 'sms:badge']]),
				receiveForm(shown, [['on', 'email:badge:extra']]),
				receiveForm([])
			])
				expect(readReceiveForm(bad)).toBeNull();
			// A save for a person who no longer exists fails whole, on either dialect.
			const { user } = node(0).tables;
			const gone = await makePerson(node(0));
			await node(0).db.delete(user).where(eq(user.id, gone));
			await expect(saveReceiveChoices(node(1), gone, shown)).rejects.toThrow();
			const { notificationOptOut } = node(0).tables;
			expect(
				await node(0)
					.db.select()
					.from(notificationOptOut)
					.where(eq(notificationOptOut.userId, gone))
			).toEqual([]);
			expect(await optOutsOf(node(1), person)).toEqual(new Set(['email:badge']));
		});
	});

	describe('web push', () => {
		/** A browser's subscription: a real P-256 key, so that the payload can be encrypted. */
		const device = (endpoint: string) => {
			const ecdh = createECDH('prime256v1');
			ecdh.generateKeys();
			return {
				endpoint,
				keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: 'A'.repeat(22) }
			};
		};
		let endpoints = 0;
		const nextEndpoint = () => `https://push.example/${dialect}/${++endpoints}`;
		const devices = async (store: Store, userId: number) => {
			const { pushSubscription } = store.tables;
			return store.db.select().from(pushSubscription).where(eq(pushSubscription.userId, userId));
		};
		/** A push for one device, as the push queue writes it. */
		const queuePushRow = (store: Store, subscriptionId: number, now: number) =>
			store.db.insert(store.tables.outgoingMessage).values({
				channel: 'push',
				kind: 'badge',
				recipient: 'Browser',
				subject: 'A badge',
				body: 'You earned a badge',
				payload: { url: '/', subscriptionId },
				nextAttemptAt: now,
				createdAt: now
			});

		it('a device is one person’s on every node, and passes on only with its keys', async () => {
			const [sam, alex] = [await makePerson(node(0)), await makePerson(node(1))];
			const at = device(nextEndpoint());
			expect(await subscribe(node(0), sam, at, 'Mozilla/5.0 (Android 14) Chrome/131', 1_000)).toBe(
				true
			);
			// The same endpoint without its keys: refused, and the row stays as it was.
			const other = { ...at, keys: { ...at.keys, auth: 'C'.repeat(22) } };
			expect(await subscribe(node(1), alex, other, null, 2_000)).toBe(false);
			expect(await devices(node(1), sam)).toMatchObject([
				{ endpoint: at.endpoint, auth: 'A'.repeat(22), createdAt: 1_000 }
			]);
			expect(await unsubscribe(node(1), alex, at.endpoint)).toBe(false);
			// With them (the browser's own subscription): the device is Alex's now, one row.
			expect(await subscribe(node(1), alex, at, null, 3_000)).toBe(true);
			expect(await devices(node(0), sam)).toEqual([]);
			expect(await devices(node(0), alex)).toHaveLength(1);
			expect(await unsubscribe(node(0), alex, at.endpoint)).toBe(true);
			expect(await unsubscribe(node(1), alex, at.endpoint)).toBe(false);
		});

		it('two nodes making the VAPID pair at once store one and both sign with it', async () => {
			const { serverSecret } = node(0).tables;
			await node(0)
				.db.delete(serverSecret)
				.where(inArray(serverSecret.name, ['vapid_public_key', 'vapid_private_key']));
			forgetVapidKeys();
			const first = vapidKeys(node(0), {});
			forgetVapidKeys(); // the second node has not read it either
			const [a, b] = await Promise.all([first, vapidKeys(node(1), {})]);
			expect(a).toEqual(b);
			const stored = await node(1)
				.db.select()
				.from(serverSecret)
				.where(inArray(serverSecret.name, ['vapid_public_key', 'vapid_private_key']));
			expect(Object.fromEntries(stored.map((r) => [r.name, r.value]))).toEqual({
				vapid_public_key: a.publicKey,
				vapid_private_key: a.privateKey
			});
		});

		it('two nodes sending together push each message once; a 410 removes the device', async () => {
			const person = await makePerson(node(0));
			for (let i = 0; i < 3; i++)
				await subscribe(node(i % 2 === 0 ? 0 : 1), person, device(nextEndpoint()), null, 1_000);
			const [kept, gone, dropped] = await devices(node(0), person);
			for (let i = 0; i < 4; i++) await queuePushRow(node(i % 2 === 0 ? 0 : 1), kept.id, 1_000);
			await queuePushRow(node(0), gone.id, 1_000);
			await queuePushRow(node(1), dropped.id, 1_000);
			// The last device unsubscribes before its push is sent: that push is skipped.
			expect(await unsubscribe(node(1), person, dropped.endpoint)).toBe(true);
			const posted: string[] = [];
			const post = async (url: string) => {
				await new Promise((resolve) => setTimeout(resolve, 1));
				posted.push(url);
				if (url === gone.endpoint) throw Object.assign(new Error('HTTP 410'), { status: 410 });
				return { status: 201 };
			};
			const clock = () => 5_000;
			const [byA, byB] = await Promise.all([
				sendDuePushes(node(0), { clock, post, claimer: 'a' }),
				sendDuePushes(node(1), { clock, post, claimer: 'b' })
			]);
			expect(byA + byB).toBe(5);
			expect(posted.sort()).toEqual([...Array(4).fill(kept.endpoint), gone.endpoint].sort());
			const rows = await outbox(node(1));
			expect(rows.map((r) => r.status).sort()).toEqual([
				'failed',
				'sent',
				'sent',
				'sent',
				'sent',
				'skipped'
			]);
			expect(rows.every((r) => r.claimedBy === null)).toBe(true);
			expect((await devices(node(1), person)).map((d) => [d.id, d.lastSentAt])).toEqual([
				[kept.id, 5_000]
			]);
			expect(await sendDuePushes(node(0), { clock, post })).toBe(0);
		});

		it('a push that keeps failing is retried, then marked failed; the device stays', async () => {
			const person = await makePerson(node(1));
			await subscribe(node(1), person, device(nextEndpoint()), null, 1_000);
			const [only] = await devices(node(0), person);
			await queuePushRow(node(0), only.id, 1_000);
			let now = 1_000;
			const post = async () => {
				throw Object.assign(new Error('HTTP 503'), { status: 503 });
			};
			for (let attempt = 1; attempt <= MAX_PUSH_ATTEMPTS; attempt++) {
				expect(
					await sendDuePushes(node(attempt % 2 === 0 ? 0 : 1), { clock: () => now, post })
				).toBe(1);
				const [row] = await outbox(node(0));
				expect(row).toMatchObject({ attempts: attempt, lastError: 'HTTP 503' });
				expect(row.status).toBe(attempt < MAX_PUSH_ATTEMPTS ? 'pending' : 'failed');
				now = row.nextAttemptAt;
			}
			expect(await sendDuePushes(node(0), { clock: () => now, post })).toBe(0);
			expect(await devices(node(1), person)).toHaveLength(1);
		});
	});
});
