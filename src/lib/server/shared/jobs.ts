import type { Store } from '../db/store';
import { autoConfirm } from '../scoring/review';
import { lapseReferrals } from '../referrals/decide';
import { runPeriodicAwards } from '../badges/periodic';
import { startScheduler } from '../seasons/scheduler';
import { deliverDueWebhooks } from '../webhooks/delivery';
import { createRankWatch } from '../notify/rank-watch';
import { listenForOvertaken } from '../notify/digest/overtaken';
import { startDigestJob } from '../notify/digest/job';
import { sendDueMails } from '../notify/mail/sender';
import { startPush } from '../notify/push/worker';
import { startChat } from '../notify/chat/start';
import { announceOpenedQuizzes } from '../quizzes/announce';
import { runBracketJobs } from '../knockouts/job';
import { advanceChallenges } from '../challenges/advance';
import { importJobLeaseMs, releaseImportJobs, resumeImportJobs } from '../imports/jobs';
import { systemClock, type Clock } from './clock';
import { log } from './log';

const WEEKLY_EVERY = 10 * 60 * 1000;
/**
 * The badge work (the facts' catch-up, weekly badges) and auto-confirmation wait this long after
 * start: their slices yield, yet each slice delays every I/O turn of the first requests, which
 * load SvelteKit's route modules lazily (bench:start). Season transitions run at once.
 */
const FIRST_RUN_DELAY = 2_000;

/**
 * Periodic work of a running server: season lifecycle, auto-confirmation, badge facts and
 * period-end badges, import jobs left by a process that stopped. Nothing runs before the caller's next turn of the event loop, so a server
 * that starts its jobs and then listens is listening before any job runs; the badge work runs
 * in short writes that yield in between (badges/periodic.ts runPeriodicAwards), so it never
 * holds requests up. Everything here runs on either dialect.
 */
export function startJobs(
	store: Store,
	options: {
		intervalMs?: number;
		webhookIntervalMs?: number;
		mailIntervalMs?: number;
		rankWatchIntervalMs?: number;
		chatIntervalMs?: number;
		digestIntervalMs?: number;
		clock?: Clock;
		firstRunDelayMs?: number;
	} = {}
): () => Promise<void> {
	const clock = options.clock ?? systemClock;
	let lastWeekly = -Infinity;
	let badgesRunning = false;
	let bracketsRunning = false;
	let lapsing = false;
	let advancing = false;
	let confirming = false;
	let stopped = false;
	// Season transitions run at their own times (and at boot); stopping releases the lease.
	let scheduler: { stop(): Promise<void> } | undefined;
	const startSeasons = () =>
		startScheduler(store, {
			clock,
			intervalMs: options.intervalMs,
			onTransition: (t) =>
				log.info({ seasonId: t.seasonId, to: t.to }, `season ${t.seasonId} is now ${t.to}`),
			onError: (error) => log.error({ err: error }, 'season scheduler failed')
		});
	const tick = () => {
		if (stopped) return;
		try {
			// On the store: one run at a time.
			if (!confirming) {
				confirming = true;
				autoConfirm(store, clock)
					.then((confirmed) => {
						if (confirmed > 0)
							log.info({ confirmed }, `auto-confirmed ${confirmed} pending sale(s)`);
					})
					.catch((error) => {
						if (!stopped) log.error({ err: error }, 'auto-confirmation failed');
					})
					.finally(() => (confirming = false));
			}
			// On the store (the `store` below): one run at a time.
			if (!lapsing) {
				lapsing = true;
				lapseReferrals(store, clock)
					.then((lapsed) => {
						if (lapsed > 0) log.info({ lapsed }, `${lapsed} referral(s) lapsed`);
					})
					.catch((error) => {
						if (!stopped) log.error({ err: error }, 'lapsing referrals failed');
					})
					.finally(() => (lapsing = false));
			}
			// On the store: a quiz is claimed in its write, so runs that overlap announce it once.
			announceOpenedQuizzes(store, clock)
				.then((quizzes) => {
					if (quizzes > 0) log.info({ quizzes }, `announced ${quizzes} new quiz(zes)`);
				})
				.catch((error) => {
					if (!stopped) log.error({ err: error }, 'announcing quizzes failed');
				});
			// Sprints are decided off the event loop when the read thread runs; one run at a time.
			if (!bracketsRunning) {
				bracketsRunning = true;
				runBracketJobs(store, clock)
					.catch((error) => {
						if (!stopped) log.error({ err: error }, 'sprint and knockout jobs failed');
					})
					.finally(() => (bracketsRunning = false));
			}
			// On the store: one run at a time.
			if (!advancing) {
				advancing = true;
				advanceChallenges(store, clock)
					.then((duels) => {
						if (duels.moved > 0) log.info(duels, `${duels.moved} duel(s) moved on`);
					})
					.catch((error) => {
						if (!stopped) log.error({ err: error }, 'advancing duels failed');
					})
					.finally(() => (advancing = false));
			}
		} catch (error) {
			log.error({ err: error }, 'periodic jobs failed');
		}
		// Weekly badges are decided when a week ends, not by a sale; a few minutes late is fine.
		if (!badgesRunning && clock() - lastWeekly >= WEEKLY_EVERY) {
			lastWeekly = clock();
			badgesRunning = true;
			runPeriodicAwards(store, { clock })
				.catch((error) => {
					if (!stopped) log.error({ err: error }, 'periodic badges failed');
				})
				.finally(() => (badgesRunning = false));
		}
	};
	// The first run waits for the event loop's next turn: never before the server listens.
	const first = setTimeout(() => {
		if (stopped) return;
		scheduler = startSeasons();
	}, 0);
	first.unref();
	const firstTick = setTimeout(tick, options.firstRunDelayMs ?? FIRST_RUN_DELAY);
	firstTick.unref();
	const timer = setInterval(tick, options.intervalMs ?? 30_000);
	timer.unref();
	let resuming = false;
	// Import jobs whose process died are taken over (at start, then twice per lease), and
	// finished ones expire.
	const resumeImports = () => {
		if (stopped) return;
		if (resuming) return;
		resuming = true;
		resumeImportJobs(store, clock)
			.then((taken) => {
				if (taken > 0) log.info({ taken }, `took over ${taken} interrupted import job(s)`);
			})
			.catch((error) => log.error({ err: error }, 'resuming import jobs failed'))
			.finally(() => (resuming = false));
	};
	const firstImports = setTimeout(resumeImports, options.firstRunDelayMs ?? FIRST_RUN_DELAY);
	firstImports.unref();
	const imports = setInterval(resumeImports, Math.max(1_000, importJobLeaseMs() / 2));
	imports.unref();
	// Webhooks go out within seconds; a slow receiver never delays the next round twice.
	let sending = false;
	const deliveries = setInterval(async () => {
		if (sending) return;
		sending = true;
		try {
			await deliverDueWebhooks(store, { clock });
		} catch (error) {
			log.error({ err: error }, 'webhook delivery failed');
		} finally {
			sending = false;
		}
	}, options.webhookIntervalMs ?? 2_000);
	deliveries.unref();
	// Mails go out the same way: the outbox (outgoing_message), one round at a time.
	let mailing = false;
	const mails = setInterval(async () => {
		if (mailing) return;
		mailing = true;
		try {
			await sendDueMails(store, { clock });
		} catch (error) {
			log.error({ err: error }, 'mail sending failed');
		} finally {
			mailing = false;
		}
	}, options.mailIntervalMs ?? 2_000);
	mails.unref();
	// Who was overtaken, who took the lead: read when a live season's version moved.
	const rankWatch = createRankWatch(store, { clock });
	let watching = false;
	const ranks = setInterval(() => {
		if (watching) return;
		watching = true;
		rankWatch
			.check()
			.catch((error) => log.error({ err: error }, 'rank watch failed'))
			.finally(() => (watching = false));
	}, options.rankWatchIntervalMs ?? 10_000);
	ranks.unref();
	// Web push: badges and overtakes queued for people's phones, sent within seconds.
	const stopPush = startPush(store, { clock, intervalMs: options.webhookIntervalMs });
	// Slack and Teams: queued in the events' transactions, posted (and paced) here.
	const stopChat = startChat(store, { clock, intervalMs: options.chatIntervalMs });
	// "You were overtaken" mails; the weekly digest and the managers' summary, checked each minute.
	const overtaken = listenForOvertaken(store);
	const stopDigests = startDigestJob(store, { clock, intervalMs: options.digestIntervalMs });
	return () => {
		stopPush();
		stopChat();
		overtaken.stop();
		stopDigests();
		clearInterval(ranks);
		rankWatch.stop();
		stopped = true;
		clearTimeout(first);
		clearTimeout(firstTick);
		clearInterval(timer);
		clearInterval(deliveries);
		clearInterval(mails);
		clearTimeout(firstImports);
		clearInterval(imports);
		// Resolved once the lease and the imports are released: shutdown closes the database after
		// it (closing it when the sockets were closed was sooner than these writes with no socket
		// open, and the pool refused them: "Cannot use a pool after calling end on the pool").
		return Promise.all([
			scheduler
				?.stop()
				.catch((error) => log.warn({ err: error }, 'releasing the scheduler failed')),
			// Another node goes on with this one's imports at once, not after the lease.
			releaseImportJobs(store).catch((error) =>
				log.warn({ err: error }, 'releasing import jobs failed')
			)
		]).then(() => undefined);
	};
}
