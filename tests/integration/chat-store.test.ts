// Slack and Teams ported onto the store (#20, db/store.ts): the channels' console and its test
// message, the sender, the lead changes and the daily summaries, with the same assertions on a
// temp SQLite file and a throwaway PostgreSQL. "Two nodes" are two stores on one database
// (tests/helpers/store-nodes.ts).
import { beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { write, type Store } from '../../src/lib/server/db/store';
import {
	channelById,
	createChannel,
	deleteChannel,
	forgetChannels,
	listChannels,
	listChatMessages,
	readActiveChannels,
	setChannelActive,
	updateChannelEvents,
	type ChatChannelInput
} from '../../src/lib/server/notify/chat/channels';
import { sendTestMessage } from '../../src/lib/server/notify/chat/test-message';
import {
	createChatSender,
	MAX_CHAT_ATTEMPTS,
	type ChatPoster
} from '../../src/lib/server/notify/chat/send';
import { formatChat } from '../../src/lib/server/notify/chat/compose';
import { queueChatInWrite } from '../../src/lib/server/notify/chat/queue';
import { queueDailySummaries, queueLeadChange } from '../../src/lib/server/notify/chat/watch';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { appErrorCode, liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('chat-store');
const NOW = 1_800_000_000_000;
const ADMIN = { userId: null };

let serial = 0;
function channelInput(overrides: Partial<ChatChannelInput> = {}): ChatChannelInput {
	serial += 1;
	return {
		platform: 'slack',
		name: `Channel ${serial}`,
		url: `http://127.0.0.1:1/hook-${serial}`,
		events: ['big_sale'],
		bigSalePoints: null,
		...overrides
	};
}

/** A poster that lets the event loop run (as a real POST does) and records the URLs. */
function poster(fail?: string): { urls: string[]; post: ChatPoster } {
	const urls: string[] = [];
	return {
		urls,
		post: async (url) => {
			await new Promise((resolve) => setTimeout(resolve, 1));
			urls.push(url);
			if (fail) throw new Error(fail);
			return { status: 200 };
		}
	};
}

/** A season with people of these confirmed points (and a team), and its id. */
async function makeSeason(
	store: Store,
	points: number[],
	values: { status?: 'live' | 'draft'; timeZone?: string } = {}
) {
	const made = await liveSeasonOn(store, {
		size: points.length,
		teams: ['Crew'],
		endsAt: NOW * 2,
		points,
		...values
	});
	return { id: made.seasonId, name: made.name, teamId: made.teamIds[0], people: made.people };
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i % 2];

	async function audited(store: Store, subject: string) {
		const { auditEvent } = store.tables;
		const rows = await store.db
			.select({ action: auditEvent.action, data: auditEvent.data })
			.from(auditEvent)
			.where(eq(auditEvent.subject, subject))
			.orderBy(auditEvent.id);
		return rows;
	}

	beforeEach(async () => {
		const { chatChannel, outgoingMessage, auditEvent } = node(0).tables;
		await node(0).db.delete(outgoingMessage);
		await node(0).db.delete(chatChannel);
		await node(0).db.delete(auditEvent);
		forgetChannels();
	});

	describe('the channels’ console', () => {
		it('a channel made and changed on one node is what the other lists, each change audited', async () => {
			const input = channelInput({ platform: 'teams', events: ['big_sale', 'badge'] });
			const created = await createChannel(node(0), input, ADMIN, NOW);
			let [listed] = await listChannels(node(1));
			expect(listed).toMatchObject({
				id: created.id,
				platform: 'teams',
				name: input.name,
				events: ['big_sale', 'badge'],
				bigSalePoints: null,
				active: true,
				createdAt: NOW,
				url: input.url, // short enough to be shown whole
				sent: 0,
				pending: 0,
				failed: 0
			});
			await updateChannelEvents(
				node(1),
				created.id,
				{ events: ['daily_summary'], bigSalePoints: 250 },
				ADMIN,
				NOW + 1
			);
			await setChannelActive(node(0), created.id, false, ADMIN, NOW + 2);
			[listed] = await listChannels(node(0));
			expect(listed).toMatchObject({
				events: ['daily_summary'],
				bigSalePoints: 250,
				active: false
			});
			expect(await readActiveChannels(node(1))).toEqual([]);
			await setChannelActive(node(1), created.id, true, ADMIN, NOW + 3);
			forgetChannels();
			expect(await readActiveChannels(node(0))).toEqual([
				{
					id: created.id,
					platform: 'teams',
					name: input.name,
					url: input.url,
					events: ['daily_summary'],
					bigSalePoints: 250
				}
			]);
			expect((await audited(node(1), `chat:${created.id}`)).map((r) => r.action)).toEqual([
				'chat.create',
				'chat.update',
				'chat.pause',
				'chat.resume'
			]);
		});

		it('a channel removed on one node is gone on the other: its changes are refused and change nothing', async () => {
			const created = await createChannel(node(0), channelInput(), ADMIN, NOW);
			await deleteChannel(node(1), created.id, ADMIN, NOW + 1);
			expect(await listChannels(node(0))).toEqual([]);
			const events = { events: ['badge' as const], bigSalePoints: null };
			expect(
				await appErrorCode(() => updateChannelEvents(node(0), created.id, events, ADMIN, NOW + 2))
			).toBe('chat_channel_gone');
			expect(
				await appErrorCode(() => setChannelActive(node(0), created.id, false, ADMIN, NOW + 2))
			).toBe('chat_channel_gone');
			expect(await appErrorCode(() => channelById(node(0), created.id))).toBe('chat_channel_gone');
			expect((await audited(node(0), `chat:${created.id}`)).map((r) => r.action)).toEqual([
				'chat.create',
				'chat.delete'
			]);
		});

		it('one channel removed on two nodes at once is removed and audited once', async () => {
			const created = await createChannel(node(0), channelInput(), ADMIN, NOW);
			const results = await Promise.all(
				[0, 1, 0, 1].map((i) => appErrorCode(() => deleteChannel(node(i), created.id, ADMIN, NOW)))
			);
			expect(results.sort()).toEqual([
				'chat_channel_gone',
				'chat_channel_gone',
				'chat_channel_gone',
				'ok'
			]);
			const actions = (await audited(node(1), `chat:${created.id}`)).map((r) => r.action);
			expect(actions).toEqual(['chat.create', 'chat.delete']);
		});

		it('channels made on two nodes at once are all kept, each with its own audit entry', async () => {
			const made = await Promise.all(
				[0, 1, 0, 1, 0, 1].map((i) => createChannel(node(i), channelInput(), ADMIN, NOW))
			);
			expect(new Set(made.map((c) => c.id)).size).toBe(6);
			const listed = await listChannels(node(1));
			expect(listed.map((c) => c.id).sort((a, b) => a - b)).toEqual(
				made.map((c) => c.id).sort((a, b) => a - b)
			);
			for (const c of made)
				expect((await audited(node(0), `chat:${c.id}`)).map((r) => r.action)).toEqual([
					'chat.create'
				]);
		});
	});

	describe('the test message', () => {
		it('posts at once, logs the outcome and is audited; the other node counts it', async () => {
			const created = await createChannel(node(0), channelInput(), ADMIN, NOW);
			const ok = poster();
			expect(await sendTestMessage(node(1), created.id, ADMIN, () => NOW + 5, ok.post)).toEqual({
				name: created.name,
				ok: true,
				error: null
			});
			const failing = poster('HTTP 404');
			expect(
				await sendTestMessage(node(0), created.id, ADMIN, () => NOW + 6, failing.post)
			).toEqual({ name: created.name, ok: false, error: 'HTTP 404' });
			expect(ok.urls).toHaveLength(1);
			const [listed] = await listChannels(node(0));
			expect(listed).toMatchObject({ sent: 1, failed: 1, pending: 0 });
			const log = await listChatMessages(node(1));
			expect(log.map((r) => [r.kind, r.status, r.attempts, r.sentAt, r.lastError])).toEqual([
				['test', 'failed', 1, null, 'HTTP 404'],
				['test', 'sent', 1, NOW + 5, null]
			]);
			expect((await audited(node(1), `chat:${created.id}`)).map((r) => r.data)).toEqual([
				expect.objectContaining({ name: created.name }),
				{ name: created.name, delivered: true },
				{ name: created.name, delivered: false }
			]);
		});

		it('is refused for a paused channel: nothing is posted, logged or audited', async () => {
			const created = await createChannel(node(0), channelInput(), ADMIN, NOW);
			await setChannelActive(node(0), created.id, false, ADMIN, NOW);
			const { urls, post } = poster();
			expect(
				await appErrorCode(() => sendTestMessage(node(1), created.id, ADMIN, () => NOW, post))
			).toBe('chat_channel_paused');
			expect(urls).toEqual([]);
			expect(await listChatMessages(node(0))).toEqual([]);
			expect((await audited(node(0), `chat:${created.id}`)).map((r) => r.action)).toEqual([
				'chat.create',
				'chat.pause'
			]);
		});
	});

	async function outbox(store: Store) {
		const { outgoingMessage } = store.tables;
		return store.db.select().from(outgoingMessage).orderBy(outgoingMessage.id);
	}

	async function queueFor(store: Store, channel: { id: number; name: string }, n: number) {
		const message = formatChat('slack', { event: 'test', channel: channel.name }, 'en');
		const target = { id: channel.id, platform: 'slack' as const, name: channel.name };
		for (let i = 0; i < n; i++)
			await write(store, (tx) => queueChatInWrite(tx, store, target, 'test', message, NOW));
	}

	describe('the sender', () => {
		it('two nodes sending together post every message once', async () => {
			const channels = await Promise.all(
				[0, 1, 2].map((i) => createChannel(node(i), channelInput(), ADMIN, NOW))
			);
			for (const [i, channel] of channels.entries()) await queueFor(node(i), channel, 3);
			const posted: string[] = [];
			const post: ChatPoster = async (url, _headers, body) => {
				await new Promise((resolve) => setTimeout(resolve, 1));
				posted.push(`${url} ${body}`);
				return { status: 200 };
			};
			let now = NOW;
			const senders = [0, 1].map((i) =>
				createChatSender(node(i), { clock: () => now, post, claimer: `node ${i}`, paceMs: 0 })
			);
			let attempted = 0;
			for (let round = 0; round < 10; round++) {
				now += 1;
				const counts = await Promise.all(senders.map((s) => s.round()));
				attempted += counts[0] + counts[1];
			}
			expect(attempted).toBe(9);
			expect(posted).toHaveLength(9);
			const rows = await outbox(node(1));
			expect(rows).toHaveLength(9);
			for (const row of rows)
				expect(row).toMatchObject({
					status: 'sent',
					attempts: 1,
					claimedBy: null,
					claimedUntil: null,
					lastError: null
				});
			const [listed] = await listChannels(node(0));
			expect(listed).toMatchObject({ sent: 3, pending: 0, failed: 0 });
		});

		it('a channel paused on one node gets nothing from the other; a failing one fails after its attempts', async () => {
			const paused = await createChannel(node(0), channelInput({ name: 'paused' }), ADMIN, NOW);
			const brokenInput = channelInput({ name: 'broken' });
			const broken = await createChannel(node(0), brokenInput, ADMIN, NOW);
			await queueFor(node(0), paused, 1);
			await queueFor(node(1), broken, 1);
			await setChannelActive(node(0), paused.id, false, ADMIN, NOW);
			const urls: string[] = [];
			let now = NOW;
			const sender = createChatSender(node(1), {
				clock: () => now,
				paceMs: 0,
				post: async (url) => {
					urls.push(url);
					throw Object.assign(new Error('HTTP 503'), { status: 503 });
				}
			});
			for (let i = 0; i < 20; i++) {
				await sender.round();
				const pending = (await outbox(node(0))).filter((r) => r.status === 'pending');
				if (pending.length === 0) break;
				now = Math.max(now + 1, ...pending.map((r) => r.nextAttemptAt));
			}
			const rows = await outbox(node(0));
			expect(rows.map((r) => [r.recipient, r.status, r.attempts, r.lastError])).toEqual([
				['paused', 'skipped', 0, 'The channel is paused'],
				['broken', 'failed', MAX_CHAT_ATTEMPTS, 'HTTP 503']
			]);
			expect(urls).toHaveLength(MAX_CHAT_ATTEMPTS);
			expect(new Set(urls)).toEqual(new Set([brokenInput.url]));
		});
	});

	describe('the lead changes and the daily summary', () => {
		it('a lead change heard by both nodes at once is queued once per channel that wants it', async () => {
			const s = await makeSeason(node(0), [100, 90]);
			const [leader, previous] = s.people;
			const lead = await createChannel(
				node(0),
				channelInput({ name: 'leads', events: ['lead_change'] }),
				ADMIN,
				NOW
			);
			await createChannel(
				node(1),
				channelInput({ platform: 'teams', name: 'leads too', events: ['lead_change', 'badge'] }),
				ADMIN,
				NOW
			);
			await createChannel(
				node(1),
				channelInput({ name: 'sales', events: ['big_sale'] }),
				ADMIN,
				NOW
			);
			const change = {
				seasonId: s.id,
				leaderId: leader.id,
				previousLeaderId: previous.id,
				at: NOW
			};
			const queued = await Promise.all([0, 1, 0, 1].map((i) => queueLeadChange(node(i), change)));
			expect(queued.reduce((a, b) => a + b)).toBe(2);
			const rows = await outbox(node(1));
			expect(rows.map((r) => [r.recipient, r.channel, r.kind])).toEqual([
				['leads', 'slack', 'lead_change'],
				['leads too', 'teams', 'lead_change']
			]);
			const expected = formatChat(
				'slack',
				{ event: 'lead_change', season: s.name, leader: leader.name, previous: previous.name },
				'en'
			);
			expect(rows[0]).toMatchObject({
				chatChannelId: lead.id,
				subject: expected.subject,
				body: expected.body,
				status: 'pending',
				nextAttemptAt: NOW
			});
			// An unknown season or leader queues nothing.
			expect(await queueLeadChange(node(0), { ...change, seasonId: s.id + 1_000 })).toBe(0);
			expect(await queueLeadChange(node(1), { ...change, leaderId: 999_999 })).toBe(0);
			expect(await outbox(node(0))).toHaveLength(2);
		});

		it('the daily summary, checked by both nodes at once, is queued once per channel and day with yesterday’s sales and the top three', async () => {
			const s = await makeSeason(node(0), [300, 200, 200, 0], {
				status: 'live',
				timeZone: 'Europe/Stockholm'
			});
			const { sale } = node(0).tables;
			const sold = (
				n: number,
				points: number,
				status: 'pending' | 'approved' | 'rejected',
				at: number
			) =>
				node(1)
					.db.insert(sale)
					.values({
						seasonId: s.id,
						source: 'api',
						externalId: `summary-${s.id}-${n}`,
						sellerId: s.people[0].id,
						teamId: s.teamId,
						occurredAt: at,
						amount: 100,
						status,
						points
					});
			// Yesterday in Stockholm: 1 December; two count, the rejected one and today's do not.
			await sold(1, 40, 'pending', Date.UTC(2026, 11, 1, 10));
			await sold(2, 60, 'approved', Date.UTC(2026, 11, 1, 22, 30));
			await sold(3, 500, 'rejected', Date.UTC(2026, 11, 1, 12));
			await sold(4, 700, 'approved', Date.UTC(2026, 11, 1, 23, 30));
			await createChannel(
				node(0),
				channelInput({ name: 'daily', events: ['daily_summary'] }),
				ADMIN,
				NOW
			);
			await createChannel(
				node(1),
				channelInput({ platform: 'teams', name: 'daily too', events: ['daily_summary'] }),
				ADMIN,
				NOW
			);
			await createChannel(
				node(0),
				channelInput({ name: 'sales', events: ['big_sale'] }),
				ADMIN,
				NOW
			);
			// 07:30 in Stockholm: too early.
			expect(await queueDailySummaries(node(0), Date.UTC(2026, 11, 2, 6, 30))).toBe(0);
			const at = Date.UTC(2026, 11, 2, 7, 0);
			const queued = await Promise.all([0, 1, 0, 1].map((i) => queueDailySummaries(node(i), at)));
			expect(queued.reduce((a, b) => a + b)).toBe(2);
			expect(await queueDailySummaries(node(1), at + 60_000)).toBe(0);
			const rows = await outbox(node(0));
			expect(
				rows.map((r) => [r.recipient, r.kind, r.dedupeKey?.split(':').slice(2).join(':')])
			).toEqual([
				['daily', 'daily_summary', `daily_summary:${s.id}:2026-12-02`],
				['daily too', 'daily_summary', `daily_summary:${s.id}:2026-12-02`]
			]);
			const [ann, bo, cy] = s.people;
			const expected = formatChat(
				'slack',
				{
					event: 'daily_summary',
					season: s.name,
					day: '2026-12-02',
					sales: 2,
					points: 100,
					top: [
						{ name: ann.name, points: 300, rank: 1 },
						{ name: bo.name, points: 200, rank: 2 },
						{ name: cy.name, points: 200, rank: 2 }
					]
				},
				'en'
			);
			expect(rows[0]).toMatchObject({ subject: expected.subject, body: expected.body });
		});
	});
});
