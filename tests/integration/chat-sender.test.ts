// The chat outbox in-process (no server): pacing per channel, Retry-After, retries, paused
// channels, the cached channel list and the daily summary's once-a-day key.
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest } from '../helpers/factories';
import { chatChannel, outgoingMessage, season } from '../../src/lib/server/db/schema';
import type { Db } from '../../src/lib/server/db';
import { sqliteStore, write } from '../../src/lib/server/db/store';
import { forgetChannels } from '../../src/lib/server/notify/chat/channels';
import { formatChat } from '../../src/lib/server/notify/chat/compose';
import { queueChatInWrite } from '../../src/lib/server/notify/chat/queue';
import {
	createChatSender,
	MAX_CHAT_ATTEMPTS,
	retryAfterMs
} from '../../src/lib/server/notify/chat/send';
import { queueDailySummaries } from '../../src/lib/server/notify/chat/watch';

const cleanups: (() => void)[] = [];
afterEach(() => {
	for (const c of cleanups.splice(0)) c();
	forgetChannels();
});

function setup() {
	const t = tempDb();
	cleanups.push(t.cleanup);
	return t.db;
}

function channel(db: Db, name: string, events: string[] = ['big_sale'], active = true) {
	return db
		.insert(chatChannel)
		.values({
			platform: 'slack',
			name,
			url: `http://127.0.0.1:1/${name}`,
			events: events as never,
			active
		})
		.returning()
		.get();
}

async function queue(db: Db, ch: { id: number; name: string }, n: number, now: number) {
	const message = formatChat('slack', { event: 'test', channel: ch.name }, 'en');
	const store = sqliteStore(db);
	for (let i = 0; i < n; i++)
		await write(store, (tx) =>
			queueChatInWrite(
				tx,
				store,
				{ id: ch.id, platform: 'slack', name: ch.name },
				'test',
				message,
				now
			)
		);
}

const statuses = (db: Db) =>
	db
		.select({ status: outgoingMessage.status, attempts: outgoingMessage.attempts })
		.from(outgoingMessage)
		.orderBy(outgoingMessage.id)
		.all();

describe('the chat sender', () => {
	it('posts at most one message per second per channel, and other channels meanwhile', async () => {
		const db = setup();
		let now = 1_000_000;
		const a = channel(db, 'a');
		const b = channel(db, 'b');
		await queue(db, a, 3, now);
		await queue(db, b, 1, now);
		const posts: string[] = [];
		const sender = createChatSender(sqliteStore(db), {
			clock: () => now,
			post: async (url) => {
				posts.push(url.split('/').pop()!);
				return { status: 200 };
			}
		});
		expect(await sender.round()).toBe(2);
		expect(await sender.round()).toBe(0); // a paced
		now += 999;
		expect(await sender.round()).toBe(0);
		now += 1;
		expect(await sender.round()).toBe(1);
		now += 1_000;
		expect(await sender.round()).toBe(1);
		expect(posts).toEqual(['a', 'b', 'a', 'a']);
		expect(statuses(db).every((s) => s.status === 'sent')).toBe(true);
	});

	it('waits for a 429’s Retry-After on that channel only; 5xx is retried until it fails; a 404 fails at once', async () => {
		const db = setup();
		let now = 5_000_000;
		const limited = channel(db, 'limited');
		const broken = channel(db, 'broken');
		const gone = channel(db, 'gone');
		const fine = channel(db, 'fine');
		for (const ch of [limited, broken, gone, fine]) await queue(db, ch, 1, now);
		await queue(db, fine, 1, now);
		const answers: Record<string, number[]> = {
			limited: [429],
			broken: [503, 503, 503, 503, 503, 503],
			gone: [404]
		};
		const sender = createChatSender(sqliteStore(db), {
			clock: () => now,
			post: async (url) => {
				const name = url.split('/').pop()!;
				const status = answers[name]?.shift() ?? 200;
				if (status >= 300)
					throw Object.assign(new Error(`HTTP ${status}`), {
						status,
						retryAfter: status === 429 ? '7' : null
					});
				return { status };
			}
		});
		await sender.round();
		const row = (name: string) =>
			db.select().from(outgoingMessage).where(eq(outgoingMessage.recipient, name)).get()!;
		expect(row('limited')).toMatchObject({
			status: 'pending',
			attempts: 1,
			nextAttemptAt: now + 7_000
		});
		expect(row('gone')).toMatchObject({ status: 'failed', attempts: 1, lastError: 'HTTP 404' });
		now += 1_000;
		await sender.round(); // the second "fine" message goes; "limited" still waits
		expect(row('limited').attempts).toBe(1);
		now += 6_000;
		await sender.round();
		expect(row('limited')).toMatchObject({ status: 'sent', attempts: 2 });
		for (let i = 0; i < 10 && row('broken').status === 'pending'; i++) {
			now = row('broken').nextAttemptAt;
			await sender.round();
		}
		expect(row('broken')).toMatchObject({ status: 'failed', attempts: MAX_CHAT_ATTEMPTS });
	});

	it('skips what was queued for a channel that has been paused since', async () => {
		const db = setup();
		const ch = channel(db, 'later-paused');
		await queue(db, ch, 1, 0);
		db.update(chatChannel).set({ active: false }).where(eq(chatChannel.id, ch.id)).run();
		let posted = 0;
		const sender = createChatSender(sqliteStore(db), {
			clock: () => 1,
			post: async () => ((posted += 1), { status: 200 })
		});
		await sender.round();
		expect(posted).toBe(0);
		expect(statuses(db)).toEqual([{ status: 'skipped', attempts: 0 }]);
	});

	it.each([
		['2', 2_000],
		['0.5', 500],
		[null, null],
		['soon', null]
	])('reads Retry-After %s as %s ms', (value, ms) => expect(retryAfterMs(value, 0)).toBe(ms));
	it('reads an HTTP-date Retry-After', () =>
		expect(retryAfterMs(new Date(60_000).toUTCString(), 0)).toBe(60_000));
});

describe('the daily summary', () => {
	it('is queued once per channel and local day, from 08:00 in the season’s zone', async () => {
		const db = setup();
		const contest = await makeContest(db);
		db.update(season)
			.set({ status: 'live', timeZone: 'Europe/Stockholm' })
			.where(eq(season.id, contest.season.id))
			.run();
		const store = sqliteStore(db);
		channel(db, 'daily', ['daily_summary']);
		channel(db, 'sales only', ['big_sale']);
		// 06:30 UTC is 07:30 in Stockholm in December: too early.
		expect(await queueDailySummaries(store, Date.UTC(2026, 11, 2, 6, 30))).toBe(0);
		expect(await queueDailySummaries(store, Date.UTC(2026, 11, 2, 7, 0))).toBe(1);
		expect(await queueDailySummaries(store, Date.UTC(2026, 11, 2, 9, 0))).toBe(0);
		expect(await queueDailySummaries(store, Date.UTC(2026, 11, 3, 7, 5))).toBe(1);
		const rows = db.select().from(outgoingMessage).all();
		expect(rows.map((r) => r.dedupeKey)).toEqual([
			expect.stringMatching(/:daily_summary:\d+:2026-12-02$/),
			expect.stringMatching(/:daily_summary:\d+:2026-12-03$/)
		]);
		expect(rows[0]).toMatchObject({ kind: 'daily_summary', recipient: 'daily', channel: 'slack' });
	});
});
