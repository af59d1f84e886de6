// The chat channels an admin configures (Slack or Teams incoming webhooks) and the cached list
// of active ones that every sale consults. Every change is audited; the URL never is (anyone
// who has it can post to the channel), and the console shows it shortened.
// On the store (db/store.ts): each change and its audit entry are one write, so a channel made,
// paused or removed on one node is what every node's console, sender and queues read.
import { performance } from 'node:perf_hooks';
import { isIP } from 'node:net';
import { desc, eq, inArray, sql } from 'drizzle-orm';
import * as z from 'zod';
import type { ChatEvent } from '../../db/schema';
import { write, type Store, type StoreDb } from '../../db/store';
import { auditInWrite, type Actor } from '../../audit/record';
import { conflict } from '../../shared/errors';
import { isBlockedAddress, privateTargetsAllowed, refusedTarget } from '../../webhooks/target';
import { m } from '../../../paraglide/messages.js';
import type { ChatPlatform } from './render';

export const CHAT_EVENTS = [
	'big_sale',
	'badge',
	'lead_change',
	'season_start',
	'season_end',
	'daily_summary'
] as const satisfies readonly ChatEvent[];
export const CHAT_PLATFORMS = ['slack', 'teams'] as const satisfies readonly ChatPlatform[];
/** A big sale when the channel sets no threshold: two demo phones' worth. */
export const DEFAULT_BIG_SALE_POINTS = 100;

const threshold = z.preprocess(
	(v) => (v === '' || v == null ? null : v),
	z.coerce
		.number({ error: () => m.chat_threshold_invalid() })
		.int({ error: () => m.chat_threshold_invalid() })
		.min(1, { error: () => m.chat_threshold_invalid() })
		.max(1_000_000_000, { error: () => m.chat_threshold_invalid() })
		.nullable()
);
const events = z
	.array(z.enum(CHAT_EVENTS, { error: () => m.chat_event_unknown() }))
	.min(1, { error: () => m.chat_events_required() });

export const chatChannelInput = z.object({
	platform: z.enum(CHAT_PLATFORMS, { error: () => m.chat_platform_required() }),
	name: z
		.string()
		.trim()
		.min(1, { error: () => m.chat_name_required() })
		.max(80, { error: () => m.chat_name_too_long() }),
	url: z
		.string()
		.trim()
		.min(1, { error: () => m.webhooks_url_required() })
		.max(2000, { error: () => m.webhooks_url_too_long() }),
	events,
	bigSalePoints: threshold
});
export type ChatChannelInput = z.infer<typeof chatChannelInput>;

export const chatEventsInput = z.object({ events, bigSalePoints: threshold });
export type ChatEventsInput = z.infer<typeof chatEventsInput>;

/** Whether a host is one of the platform's own incoming-webhook hosts. */
export function isPlatformHost(platform: ChatPlatform, host: string): boolean {
	const h = host.toLowerCase().replace(/\.$/, '');
	if (platform === 'slack') return h === 'hooks.slack.com';
	return /^[a-z0-9-]+(\.[a-z0-9-]+)*\.(webhook\.office\.com|logic\.azure\.com)$/.test(h);
}

/**
 * Why a URL cannot be a channel of the platform, or null. Only https URLs on the platform's own
 * hosts are taken; with WEBHOOKS_ALLOW_PRIVATE=true (tests, a relay on the own network) an
 * http(s) URL to a loopback or private address is too — the same switch as the webhooks'.
 */
export async function refusedChatUrl(
	platform: ChatPlatform,
	value: string
): Promise<string | null> {
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return m.webhooks_url_invalid();
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') return m.webhooks_url_invalid();
	if (url.username || url.password) return m.webhooks_url_credentials();
	const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
	if (url.protocol === 'https:' && isPlatformHost(platform, host)) return refusedTarget(value);
	const privateHost = isIP(host) ? isBlockedAddress(host) : host.toLowerCase() === 'localhost';
	if (privateHost && privateTargetsAllowed()) return null;
	return platform === 'slack' ? m.chat_url_not_slack() : m.chat_url_not_teams();
}

/** The URL as the console shows it: enough to recognise, not enough to post with. */
export function shortUrl(value: string): string {
	try {
		const url = new URL(value);
		const path = url.pathname.length > 14 ? `${url.pathname.slice(0, 13)}…` : url.pathname;
		return `${url.protocol}//${url.host}${path}`;
	} catch {
		return '…';
	}
}

export interface ActiveChannel {
	id: number;
	platform: ChatPlatform;
	name: string;
	url: string;
	events: ChatEvent[];
	bigSalePoints: number | null;
}

// Every sale asks which channels want it: the answer is kept for a few seconds, and forgotten
// at once when this process changes a channel (another process's change shows within the TTL).
// Kept per store (the app has one): the tests share a process between databases, and one
// database's channels must never answer for another's.
const CACHE_MS = 5_000;
let cached = new WeakMap<object, { at: number; channels: ActiveChannel[] }>();

export function forgetChannels(): void {
	cached = new WeakMap();
}

function fresh(store: Store, at: number): ActiveChannel[] | null {
	const held = cached.get(store.db);
	return held && at - held.at < CACHE_MS ? held.channels : null;
}

/**
 * The active channels, read at most once per CACHE_MS: on the store (the lead changes and daily
 * summaries, watch.ts), or inside a write with its `tx` (the domain events, queue.ts).
 */
export async function readActiveChannels(
	store: Store,
	db: StoreDb = store.db
): Promise<ActiveChannel[]> {
	const at = performance.now();
	const known = fresh(store, at);
	if (known) return known;
	const { chatChannel: channel } = store.tables;
	const channels = await db
		.select({
			id: channel.id,
			platform: channel.platform,
			name: channel.name,
			url: channel.url,
			events: channel.events,
			bigSalePoints: channel.bigSalePoints
		})
		.from(channel)
		.where(eq(channel.active, true));
	cached.set(store.db, { at, channels });
	return channels;
}

export async function listChannels(store: Store) {
	const { chatChannel: channel, outgoingMessage } = store.tables;
	const channels = await store.db
		.select()
		.from(channel)
		.orderBy(desc(channel.createdAt), desc(channel.id));
	const counts = new Map<number, Record<string, number>>();
	if (channels.length > 0) {
		const rows = await store.db
			.select({
				id: outgoingMessage.chatChannelId,
				status: outgoingMessage.status,
				n: sql<number>`count(*)`.mapWith(Number)
			})
			.from(outgoingMessage)
			.where(
				inArray(
					outgoingMessage.chatChannelId,
					channels.map((c) => c.id)
				)
			)
			.groupBy(outgoingMessage.chatChannelId, outgoingMessage.status);
		for (const row of rows) {
			const c = counts.get(row.id!) ?? {};
			c[row.status] = row.n;
			counts.set(row.id!, c);
		}
	}
	return channels.map((c) => ({
		id: c.id,
		platform: c.platform,
		name: c.name,
		events: c.events,
		bigSalePoints: c.bigSalePoints,
		active: c.active,
		createdAt: c.createdAt,
		url: shortUrl(c.url),
		sent: counts.get(c.id)?.sent ?? 0,
		pending: counts.get(c.id)?.pending ?? 0,
		failed: counts.get(c.id)?.failed ?? 0
	}));
}

/** The latest chat messages, newest first, for the console's log. */
export async function listChatMessages(store: Store, limit = 30) {
	const { outgoingMessage } = store.tables;
	return store.db
		.select({
			id: outgoingMessage.id,
			channel: outgoingMessage.channel,
			kind: outgoingMessage.kind,
			recipient: outgoingMessage.recipient,
			subject: outgoingMessage.subject,
			status: outgoingMessage.status,
			attempts: outgoingMessage.attempts,
			nextAttemptAt: outgoingMessage.nextAttemptAt,
			lastError: outgoingMessage.lastError,
			createdAt: outgoingMessage.createdAt,
			sentAt: outgoingMessage.sentAt
		})
		.from(outgoingMessage)
		.where(inArray(outgoingMessage.channel, ['slack', 'teams']))
		.orderBy(desc(outgoingMessage.id))
		.limit(limit);
}

export async function createChannel(
	store: Store,
	input: ChatChannelInput,
	actor: Actor,
	now: number
) {
	const { chatChannel: channel } = store.tables;
	const row = await write(store, async (tx) => {
		const [created] = await tx
			.insert(channel)
			.values({ ...input, active: true, createdById: actor.userId ?? null, createdAt: now })
			.returning({ id: channel.id, name: channel.name });
		await auditInWrite(
			tx,
			store,
			actor,
			'chat.create',
			`chat:${created.id}`,
			{ platform: input.platform, name: input.name, events: input.events },
			now
		);
		return created;
	});
	forgetChannels();
	return row;
}

/** The channel's full row (its URL included); a channel that is gone is a conflict. */
async function found(db: StoreDb, store: Store, id: number) {
	const { chatChannel: channel } = store.tables;
	const [row] = await db.select().from(channel).where(eq(channel.id, id));
	if (!row) throw conflict('chat_channel_gone', m.chat_gone());
	return row;
}

/** Changes what a channel receives; the points threshold of a big sale goes with it. */
export async function updateChannelEvents(
	store: Store,
	id: number,
	input: ChatEventsInput,
	actor: Actor,
	now: number
) {
	const { chatChannel: channel } = store.tables;
	const row = await write(store, async (tx) => {
		const row = await found(tx, store, id);
		await tx.update(channel).set(input).where(eq(channel.id, id));
		await auditInWrite(
			tx,
			store,
			actor,
			'chat.update',
			`chat:${id}`,
			{ name: row.name, ...input },
			now
		);
		return row;
	});
	forgetChannels();
	return row;
}

export async function setChannelActive(
	store: Store,
	id: number,
	active: boolean,
	actor: Actor,
	now: number
) {
	const { chatChannel: channel } = store.tables;
	const row = await write(store, async (tx) => {
		const row = await found(tx, store, id);
		await tx.update(channel).set({ active }).where(eq(channel.id, id));
		await auditInWrite(
			tx,
			store,
			actor,
			active ? 'chat.resume' : 'chat.pause',
			`chat:${id}`,
			{ name: row.name },
			now
		);
		return row;
	});
	forgetChannels();
	return row;
}

/** Removes a channel; its messages go with it (pending ones are never sent). */
export async function deleteChannel(store: Store, id: number, actor: Actor, now: number) {
	const { chatChannel: channel, outgoingMessage } = store.tables;
	const row = await write(store, async (tx) => {
		const row = await found(tx, store, id);
		await tx.delete(outgoingMessage).where(eq(outgoingMessage.chatChannelId, id));
		await tx.delete(channel).where(eq(channel.id, id));
		await auditInWrite(tx, store, actor, 'chat.delete', `chat:${id}`, { name: row.name }, now);
		return row;
	});
	forgetChannels();
	return row;
}

/** The full row, for the test message (the URL included). */
export function channelById(store: Store, id: number) {
	return found(store.db, store, id);
}
