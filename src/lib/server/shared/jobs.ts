import type { Db } from '../db';
import { eq } from 'drizzle-orm';
import { autoConfirm } from '../scoring/review';
import { evaluateAwards } from '../badges/awards';
import { startScheduler } from '../seasons/scheduler';
import { deliverDueWebhooks } from '../webhooks/delivery';
import { season } from '../db/schema';
import { systemClock, type Clock } from './clock';
import { log } from './log';

const WEEKLY_EVERY = 10 * 60 * 1000;

/** Periodic work of a running server: season lifecycle, auto-confirmation, period-end badges. */
export function startJobs(
	db: Db,
	options: { intervalMs?: number; webhookIntervalMs?: number; clock?: Clock } = {}
): () => void {
	const clock = options.clock ?? systemClock;
	let lastWeekly = 0;
	// Season transitions run at their own times (and at boot); stopping releases the lease.
	const scheduler = startScheduler(db, {
		clock,
		intervalMs: options.intervalMs,
		onTransition: (t) =>
			log.info({ seasonId: t.seasonId, to: t.to }, `season ${t.seasonId} is now ${t.to}`),
		onError: (error) => log.error({ err: error }, 'season scheduler failed')
	});
	const tick = () => {
		try {
			const confirmed = autoConfirm(db, clock);
			if (confirmed > 0) log.info({ confirmed }, `auto-confirmed ${confirmed} pending sale(s)`);
			// Weekly badges are decided when a week ends, not by a sale; a few minutes late is fine.
			if (clock() - lastWeekly >= WEEKLY_EVERY) {
				lastWeekly = clock();
				for (const live of db
					.select({ id: season.id })
					.from(season)
					.where(eq(season.status, 'live'))
					.all()) {
					evaluateAwards(db, live.id, { clock, periodic: true });
				}
			}
		} catch (error) {
			log.error({ err: error }, 'periodic jobs failed');
		}
	};
	tick();
	const timer = setInterval(tick, options.intervalMs ?? 30_000);
	timer.unref();
	// Webhooks go out within seconds; a slow receiver never delays the next round twice.
	let sending = false;
	const deliveries = setInterval(async () => {
		if (sending) return;
		sending = true;
		try {
			await deliverDueWebhooks(db, { clock });
		} catch (error) {
			log.error({ err: error }, 'webhook delivery failed');
		} finally {
			sending = false;
		}
	}, options.webhookIntervalMs ?? 2_000);
	deliveries.unref();
	return () => {
		clearInterval(timer);
		clearInterval(deliveries);
		scheduler.stop();
	};
}
