import { EventEmitter } from 'node:events';
import type { Queryable } from '../db';
import type { Store, StoreDb } from '../db/store';
import type { WebhookEvent } from '../db/schema';
import type { WebhookData } from '../webhooks/events';
import type { LeadChange, Overtaken } from './rank-changes';

// The two ways a channel (mail, push, Slack/Teams) hears what happened:
//
// - Domain events, inside the event's own transaction: the same three events (and data) as the
//   outgoing webhooks — `sale.confirmed`, `badge.awarded`, `season.ended` — plus
//   `season.started`. A handler queues its messages in `outgoing_message` with the `tx` it is
//   given, so a message exists exactly when the event does (rolled back with it, never lost).
// - Rank changes, after the fact: rank-watch.ts compares each live season's ranking with its
//   last reading and emits who was overtaken and who took the lead.

export type DomainEvent = Exclude<WebhookEvent, 'webhook.test'> | 'season.started';
export interface SeasonStartedData {
	season: { id: number; name: string; startsAt: string; endsAt: string };
}
export type DomainData<E extends DomainEvent> = E extends 'season.started'
	? SeasonStartedData
	: E extends WebhookEvent
		? WebhookData<E>
		: never;

export type DomainHandler = <E extends DomainEvent>(
	tx: Queryable,
	event: E,
	data: DomainData<E>,
	now: number
) => void;

// Shared through globalThis: the services that emit (SvelteKit's bundle) and the jobs that add
// handlers (server.ts's bundle) each have a copy of this module.
const HANDLERS = Symbol.for('honorboard.domainEventHandlers');
const handlers: Set<DomainHandler> = ((globalThis as { [HANDLERS]?: Set<DomainHandler> })[
	HANDLERS
] ??= new Set());

/** Adds a handler for every domain event; returns its removal. */
export function onDomainEvent(handler: DomainHandler): () => void {
	handlers.add(handler);
	return () => handlers.delete(handler);
}

/**
 * Called by the emitters (webhooks/delivery.ts enqueueWebhooks: the sales, the badges) in their
 * transaction.
 */
export function emitDomainEvent<E extends DomainEvent>(
	tx: Queryable,
	event: E,
	data: DomainData<E>,
	now: number
): void {
	for (const handler of handlers) handler(tx, event, data, now);
}

/** A handler for the domain events emitted inside a store's write (db/store.ts, #20). */
export type DomainHandlerInWrite = <E extends DomainEvent>(
	tx: StoreDb,
	store: Store,
	event: E,
	data: DomainData<E>,
	now: number
) => Promise<void>;

const HANDLERS_IN_WRITE = Symbol.for('honorboard.domainEventHandlersInWrite');
const handlersInWrite: Set<DomainHandlerInWrite> = ((
	globalThis as { [HANDLERS_IN_WRITE]?: Set<DomainHandlerInWrite> }
)[HANDLERS_IN_WRITE] ??= new Set());

/**
 * Adds a handler for the domain events of the commands ported to the store; returns its
 * removal. Every command of the app emits here now: onDomainEvent hears only the synchronous
 * badge engine's events (badges/awards.ts applyPlan), which the app no longer runs (a
 * benchmark's baseline does, bench/lib/before-port.ts). The same event comes from one or the
 * other, never both.
 */
export function onDomainEventInWrite(handler: DomainHandlerInWrite): () => void {
	handlersInWrite.add(handler);
	return () => handlersInWrite.delete(handler);
}

/** emitDomainEvent inside a store's write: the handlers queue with the write's `tx`. */
export async function emitDomainEventInWrite<E extends DomainEvent>(
	tx: StoreDb,
	store: Store,
	event: E,
	data: DomainData<E>,
	now: number
): Promise<void> {
	for (const handler of handlersInWrite) await handler(tx, store, event, data, now);
}

export interface RankEvents {
	overtaken: [Overtaken & { seasonId: number; at: number }];
	lead: [LeadChange & { seasonId: number; at: number }];
}

const RANK_EVENTS = Symbol.for('honorboard.rankEvents');
/** Rank changes seen by rank-watch.ts; listeners must not throw (errors are logged by them). */
export const rankEvents: EventEmitter<RankEvents> = ((
	globalThis as { [RANK_EVENTS]?: EventEmitter<RankEvents> }
)[RANK_EVENTS] ??= new EventEmitter<RankEvents>());
