// Posts the queued chat messages (outgoing_message rows of channel 'slack' or 'teams') the way
// webhooks/delivery.ts sends its deliveries: each row is claimed atomically first, so that one
// process sends it even when several share the database. On top of that, a chat platform paces
// its posters: at most one message per second per channel (Slack's limit for incoming
// webhooks), a 429 waits for its Retry-After, and one slow or rate-limited channel never holds
// up the others (each channel has at most one post in flight, and a round does not wait for it).
// On the store (db/store.ts): each claim and each outcome is a write, the post between them; on
// PostgreSQL every node works through the one outbox and two nodes never post one message. The
// pace is each process's own: two nodes may each post to a channel within the same second.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { and, asc, eq, inArray, isNull, lt, lte, or } from 'drizzle-orm';
import { write, type Store } from '../../db/store';
import { systemClock, type Clock } from '../../shared/clock';
import { log } from '../../shared/log';
import { backoff, CLAIM_MS } from '../../webhooks/delivery';
import { postToTarget, type PostResult } from '../../webhooks/target';

/** Attempts before a message is marked failed: after about 1 s, 5 s, 25 s, 2 min, 10 min. */
export const MAX_CHAT_ATTEMPTS = 6;
/** At most one post per channel per this many ms. */
export const PACE_MS = 1_000;
/** The longest Retry-After honoured; a longer one is read as this. */
const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

export type ChatPoster = (
	url: string,
	headers: Record<string, string>,
	body: string
) => Promise<PostResult>;

/** A Retry-After header (seconds, or an HTTP date) as milliseconds from now; null if absent. */
export function retryAfterMs(value: unknown, now: number): number | null {
	if (typeof value !== 'string' || value.trim() === '') return null;
	const text = value.trim();
	const wait = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
	if (!Number.isFinite(wait)) return null;
	return Math.min(Math.max(Math.round(wait), 0), MAX_RETRY_AFTER_MS);
}

const PROCESS_ID = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}:chat`;
const CHAT = ['slack', 'teams'] as const;

export interface ChatSender {
	/**
	 * Starts a post for each channel that has a message due, is not busy and is not being paced;
	 * resolves when those posts are done, with how many were attempted.
	 */
	round(): Promise<number>;
	/** Resolves when every post in flight is done. */
	idle(): Promise<void>;
}

export function createChatSender(
	store: Store,
	options: { clock?: Clock; post?: ChatPoster; claimer?: string; paceMs?: number } = {}
): ChatSender {
	const clock = options.clock ?? systemClock;
	const post = options.post ?? postToTarget;
	const claimer = options.claimer ?? PROCESS_ID;
	const paceMs = options.paceMs ?? PACE_MS;
	const { chatChannel, outgoingMessage } = store.tables;
	/** When each channel may post again (its pace, or a 429's Retry-After). */
	const free = new Map<number, number>();
	const busy = new Set<number>();
	const inFlight = new Set<Promise<boolean>>();
	const unclaimed = (now: number) =>
		or(isNull(outgoingMessage.claimedUntil), lt(outgoingMessage.claimedUntil, now));

	async function sendOne(channelId: number, id: number): Promise<boolean> {
		const claimedAt = clock();
		// Only one process wins this UPDATE; it re-checks the row is still pending and due.
		const [message] = await write(store, (tx) =>
			tx
				.update(outgoingMessage)
				.set({ claimedBy: claimer, claimedUntil: claimedAt + CLAIM_MS })
				.where(
					and(
						eq(outgoingMessage.id, id),
						eq(outgoingMessage.status, 'pending'),
						lte(outgoingMessage.nextAttemptAt, claimedAt),
						unclaimed(claimedAt)
					)
				)
				.returning()
		);
		if (!message) return false;
		const mine = and(eq(outgoingMessage.id, id), eq(outgoingMessage.claimedBy, claimer));
		const release = { claimedBy: null, claimedUntil: null };
		const [channel] = await store.db
			.select()
			.from(chatChannel)
			.where(eq(chatChannel.id, channelId));
		if (!channel?.active) {
			// Paused after the message was queued: a paused channel gets nothing.
			await write(store, (tx) =>
				tx
					.update(outgoingMessage)
					.set({ status: 'skipped', lastError: 'The channel is paused', ...release })
					.where(mine)
			);
			return false;
		}
		let status: number | null = null;
		let error: string | null = null;
		let retryAfter: unknown = null;
		try {
			status = (
				await post(
					channel.url,
					{ 'content-type': 'application/json', 'user-agent': 'Honorboard-Chat/1' },
					JSON.stringify(message.payload ?? {})
				)
			).status;
		} catch (e) {
			const failure = e as Error & { status?: number; retryAfter?: unknown };
			status = failure.status ?? null;
			retryAfter = failure.retryAfter;
			error = (failure.message || String(e)).slice(0, 500);
		}
		const now = clock();
		const attempts = message.attempts + 1;
		free.set(channelId, now + paceMs);
		if (error == null) {
			await write(store, (tx) =>
				tx
					.update(outgoingMessage)
					.set({ status: 'sent', sentAt: now, attempts, lastError: null, ...release })
					.where(mine)
			);
			return true;
		}
		// 429: the platform says when; other 4xx (a revoked URL, a refused body) will not get
		// better by retrying; 5xx, 408 and network errors are retried with backoff.
		const limited = status === 429 ? (retryAfterMs(retryAfter, now) ?? backoff(attempts)) : null;
		if (limited != null) free.set(channelId, now + Math.max(limited, paceMs));
		const permanent =
			status != null && status >= 400 && status < 500 && status !== 408 && status !== 429;
		const failed = permanent || attempts >= MAX_CHAT_ATTEMPTS;
		await write(store, (tx) =>
			tx
				.update(outgoingMessage)
				.set({
					status: failed ? 'failed' : 'pending',
					attempts,
					lastError: error,
					nextAttemptAt: now + (limited ?? backoff(attempts)),
					...release
				})
				.where(mine)
		);
		if (failed) log.warn({ messageId: id, channelId, error }, 'a chat message failed');
		return true;
	}

	return {
		async round() {
			const now = clock();
			const due = await store.db
				.select({ id: outgoingMessage.id, channelId: outgoingMessage.chatChannelId })
				.from(outgoingMessage)
				.where(
					and(
						eq(outgoingMessage.status, 'pending'),
						lte(outgoingMessage.nextAttemptAt, now),
						inArray(outgoingMessage.channel, [...CHAT]),
						unclaimed(now)
					)
				)
				.orderBy(asc(outgoingMessage.nextAttemptAt), asc(outgoingMessage.id))
				.limit(200);
			// The oldest due message of each channel that may post now.
			const next = new Map<number, number>();
			for (const { id, channelId } of due) {
				if (channelId == null || next.has(channelId) || busy.has(channelId)) continue;
				if ((free.get(channelId) ?? 0) > now) continue;
				next.set(channelId, id);
			}
			const sends = [...next].map(([channelId, id]) => {
				busy.add(channelId);
				const sending = sendOne(channelId, id).finally(() => {
					busy.delete(channelId);
					inFlight.delete(sending);
				});
				inFlight.add(sending);
				return sending;
			});
			return (await Promise.all(sends)).filter(Boolean).length;
		},
		async idle() {
			await Promise.allSettled([...inFlight]);
		}
	};
}
