import { EventEmitter } from 'node:events';
import type { Store, StoreDb } from '../db/store';
import type { WebhookEvent } from '../db/schema';
import type { WebhookData } from '../webhooks/events';
import type { LeadChange, Overtaken } from './rank-changes';

// The two ways a channel (mail, push, Slack/Teams) hears what happened:
//
// - Domain events, inside the event's own store write: the same three events (and data) as the
//   outgoing webhooks — `sale.confirmed`, `badge.awarded`, `season.ended` — plus
//   `season.started`. A handler queues its messages in `outgoing_message` with the write's `tx`
//   it is given, so a message exists exactly when the event does (rolled back with it, never
//   lost).
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

/** Adds a handler for every domain event, heard inside the event's write; returns its removal. */
export function onDomainEventInWrite(handler: DomainHandlerInWrite): () => void {
	handlersInWrite.add(handler);
	return () => handlersInWrite.delete(handler);
}

/** Called by the emitters (webhooks/delivery.ts enqueueWebhooksInWrite) in their write. */
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
