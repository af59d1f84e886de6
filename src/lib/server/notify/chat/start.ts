// Slack and Teams in a running server: listens to the domain events and the rank watch, queues
// the daily summaries and posts the outbox. Started by shared/jobs.ts startJobs.
import type { Db } from '../../db';
import { systemClock, type Clock } from '../../shared/clock';
import { log } from '../../shared/log';
import { onDomainEvent, rankEvents, type RankEvents } from '../events';
import { onChatDomainEvent } from './queue';
import { createChatSender, type ChatPoster } from './send';
import { queueDailySummaries, queueLeadChange } from './watch';

export function startChat(
	db: Db,
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
	// A chat message is never worth a sale: a failure here is logged, the event's transaction
	// goes on (SQLite keeps a transaction open after a failed statement).
	const removeHandler = onDomainEvent((tx, event, data, now) => {
		try {
			onChatDomainEvent(tx, event, data, now);
		} catch (error) {
			log.error({ err: error, event }, 'queueing a chat message failed');
		}
	});
	const onLead = (change: RankEvents['lead'][0]) => {
		try {
			queueLeadChange(db, change);
		} catch (error) {
			log.error({ err: error }, 'queueing a lead change for chat failed');
		}
	};
	rankEvents.on('lead', onLead);
	const sender = createChatSender(db, { clock, post: options.post });
	const sending = setInterval(() => {
		sender.round().catch((error) => log.error({ err: error }, 'chat sending failed'));
	}, options.intervalMs ?? 500);
	sending.unref();
	const summaries = setInterval(() => {
		try {
			queueDailySummaries(db, clock());
		} catch (error) {
			log.error({ err: error }, 'daily chat summaries failed');
		}
	}, options.summaryIntervalMs ?? 60_000);
	summaries.unref();
	return () => {
		removeHandler();
		rankEvents.off('lead', onLead);
		clearInterval(sending);
		clearInterval(summaries);
	};
}
