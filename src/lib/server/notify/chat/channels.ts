// The chat channels an admin configures (Slack or Teams incoming webhooks) and the cached list
// of active ones that every sale consults. Every change is audited; the URL never is (anyone
// who has it can post to the channel), and the console shows it shortened.
import { performance } from 'node:perf_hooks';
import { isIP } from 'node:net';
import { desc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Queryable } from '../../db';
import { chatChannel, outgoingMessage, type ChatEvent } from '../../db/schema';
import { literal } from '../../db/prepared';
import { audit, type Actor } from '../../audit/record';
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
const CACHE_MS = 5_000;
let cached: { at: number; channels: ActiveChannel[] } | null = null;

export function forgetChannels(): void {
	cached = null;
}

/** The active channels, read at most once per CACHE_MS. */
export function activeChannels(db: Queryable): ActiveChannel[] {
	const at = performance.now();
	if (cached && at - cached.at < CACHE_MS) return cached.channels;
	const channels = db
		.select({
			id: chatChannel.id,
			platform: chatChannel.platform,
			name: chatChannel.name,
			url: chatChannel.url,
			events: chatChannel.events,
			bigSalePoints: chatChannel.bigSalePoints
		})
		.from(chatChannel)
		.where(eq(chatChannel.active, literal(true)))
		.all();
	cached = { at, channels };
	return channels;
}

export function listChannels(db: Queryable) {
	const channels = db
		.select()
		.from(chatChannel)
		.orderBy(desc(chatChannel.createdAt), desc(chatChannel.id))
		.all();
	const counts = new Map<number, Record<string, number>>();
	if (channels.length > 0) {
		const rows = db
			.select({
				id: outgoingMessage.chatChannelId,
				status: outgoingMessage.status,
				n: sql<number>`count(*)`
			})
			.from(outgoingMessage)
			.where(
				inArray(
					outgoingMessage.chatChannelId,
					channels.map((c) => c.id)
				)
			)
			.groupBy(outgoingMessage.chatChannelId, outgoingMessage.status)
			.all();
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
export function listChatMessages(db: Queryable, limit = 30) {
	return db
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
		.limit(limit)
		.all();
}

export function createChannel(db: Db, input: ChatChannelInput, actor: Actor, now: number) {
	const row = db.transaction((tx) => {
		const created = tx
			.insert(chatChannel)
			.values({ ...input, active: true, createdById: actor.userId ?? null, createdAt: now })
			.returning({ id: chatChannel.id, name: chatChannel.name })
			.get();
		audit(
			tx,
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

function found(db: Queryable, id: number) {
	const row = db.select().from(chatChannel).where(eq(chatChannel.id, id)).get();
	if (!row) throw conflict('chat_channel_gone', m.chat_gone());
	return row;
}

/** Changes what a channel receives; the points threshold of a big sale goes with it. */
export function updateChannelEvents(
	db: Db,
	id: number,
	input: ChatEventsInput,
	actor: Actor,
	now: number
) {
	const row = db.transaction((tx) => {
		const row = found(tx, id);
		tx.update(chatChannel).set(input).where(eq(chatChannel.id, id)).run();
		audit(tx, actor, 'chat.update', `chat:${id}`, { name: row.name, ...input }, now);
		return row;
	});
	forgetChannels();
	return row;
}

export function setChannelActive(db: Db, id: number, active: boolean, actor: Actor, now: number) {
	const row = db.transaction((tx) => {
		const row = found(tx, id);
		tx.update(chatChannel).set({ active }).where(eq(chatChannel.id, id)).run();
		audit(tx, actor, active ? 'chat.resume' : 'chat.pause', `chat:${id}`, { name: row.name }, now);
		return row;
	});
	forgetChannels();
	return row;
}

/** Removes a channel; its messages go with it (pending ones are never sent). */
export function deleteChannel(db: Db, id: number, actor: Actor, now: number) {
	const row = db.transaction((tx) => {
		const row = found(tx, id);
		tx.delete(outgoingMessage).where(eq(outgoingMessage.chatChannelId, id)).run();
		tx.delete(chatChannel).where(eq(chatChannel.id, id)).run();
		audit(tx, actor, 'chat.delete', `chat:${id}`, { name: row.name }, now);
		return row;
	});
	forgetChannels();
	return row;
}

/** The full row, for the test message (the URL included). */
export function channelById(db: Queryable, id: number) {
	return found(db, id);
}
