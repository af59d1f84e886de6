// Slack and Teams ported onto the store (#20, db/store.ts): the channels' console and its test
// message, with the same assertions on a temp SQLite file and a throwaway PostgreSQL. "Two
// nodes" are two stores on one database (tests/helpers/store-nodes.ts).
import { beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
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
import type { ChatPoster } from '../../src/lib/server/notify/chat/send';
import { AppError } from '../../src/lib/server/shared/errors';
import { twoNodesPerDialect } from '../helpers/store-nodes';

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

/** What an AppError was thrown with (its code), or 'ok'. */
async function outcome(run: () => Promise<unknown>): Promise<string> {
	try {
		await run();
		return 'ok';
	} catch (error) {
		if (error instanceof AppError) return error.code;
		throw error;
	}
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
				await outcome(() => updateChannelEvents(node(0), created.id, events, ADMIN, NOW + 2))
			).toBe('chat_channel_gone');
			expect(
				await outcome(() => setChannelActive(node(0), created.id, false, ADMIN, NOW + 2))
			).toBe('chat_channel_gone');
			expect(await outcome(() => channelById(node(0), created.id))).toBe('chat_channel_gone');
			expect((await audited(node(0), `chat:${created.id}`)).map((r) => r.action)).toEqual([
				'chat.create',
				'chat.delete'
			]);
		});

		it('one channel removed on two nodes at once is removed and audited once', async () => {
			const created = await createChannel(node(0), channelInput(), ADMIN, NOW);
			const results = await Promise.all(
				[0, 1, 0, 1].map((i) => outcome(() => deleteChannel(node(i), created.id, ADMIN, NOW)))
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
				await outcome(() => sendTestMessage(node(1), created.id, ADMIN, () => NOW, post))
			).toBe('chat_channel_paused');
			expect(urls).toEqual([]);
			expect(await listChatMessages(node(0))).toEqual([]);
			expect((await audited(node(0), `chat:${created.id}`)).map((r) => r.action)).toEqual([
				'chat.create',
				'chat.pause'
			]);
		});
	});
});
