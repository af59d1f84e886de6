import type { Db } from './db';
import { autoConfirm } from './review';
import { systemClock, type Clock } from './clock';

/** Periodic housekeeping of a running server (auto-confirmation of old pending sales). */
export function startJobs(db: Db, options: { intervalMs?: number; clock?: Clock } = {}): () => void {
	const clock = options.clock ?? systemClock;
	const tick = () => {
		try {
			const confirmed = autoConfirm(db, clock);
			if (confirmed > 0) console.log(`auto-confirmed ${confirmed} pending sale(s)`);
		} catch (error) {
			console.error('auto-confirm failed', error);
		}
	};
	tick();
	const timer = setInterval(tick, options.intervalMs ?? 60_000);
	timer.unref();
	return () => clearInterval(timer);
}
