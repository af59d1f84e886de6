// Slack and Teams in a running server: listens to the domain events and the rank watch, queues
// the daily summaries and posts the outbox. Started by shared/jobs.ts startJobs. The domain
// events queue inside the emitter's store write (queue.ts); the rest goes through the store
// (db/store.ts) too.
import type { Store } from '../../db/store';
import { systemClock, type Clock } from '../../shared/clock';
import { log } from '../../shared/log';
import { onDomainEventInWrite, rankEvents, type RankEvents } from '../events';
import { onChatDomainEventInWrite } from './queue';
import { createChatSender, type ChatPoster } from './send';
import { queueDailySummaries, queueLeadChange } from './watch';

export function startChat(
	store: Store,
	options: {
		clock?: Clock;
		/** How often the sender looks for due messages (default 500 ms: pacing is per second). */
		intervalMs?: number;
		/** How often the daily summaries are looked at (default a minute). */
		summaryIntervalMs?: number;
		post?: ChatPoster;
	} = {}
): () => void {
	const clock = options.clock ?? systemClock;
	// A chat message is never worth a sale: a failure here is logged and the write goes on on
	// SQLite; on PostgreSQL a failed statement aborts the transaction, so the write's next
	// statement fails it.
	const removeHandlerInWrite = onDomainEventInWrite(async (tx, inStore, event, data, now) => {
		try {
			await onChatDomainEventInWrite(tx, inStore, event, data, now);
		} catch (error) {
			log.error({ err: error, event }, 'queueing a chat message failed');
		}
	});
	const onLead = (change: RankEvents['lead'][0]) => {
		queueLeadChange(store, change).catch((error) =>
			log.error({ err: error }, 'queueing a lead change for chat failed')
		);
	};
	rankEvents.on('lead', onLead);
	const sender = createChatSender(store, { clock, post: options.post });
	const sending = setInterval(() => {
		sender.round().catch((error) => log.error({ err: error }, 'chat sending failed'));
	}, options.intervalMs ?? 500);
	sending.unref();
	let summing = false;
	const summaries = setInterval(() => {
		if (summing) return;
		summing = true;
		queueDailySummaries(store, clock())
			.catch((error) => log.error({ err: error }, 'daily chat summaries failed'))
			.finally(() => (summing = false));
	}, options.summaryIntervalMs ?? 60_000);
	summaries.unref();
	return () => {
		removeHandlerInWrite();
		rankEvents.off('lead', onLead);
		clearInterval(sending);
		clearInterval(summaries);
	};
}
