import type { Db } from '../../db';
import { log } from '../../shared/log';
import type { Clock } from '../../shared/clock';
import { dueSlot } from './due';
import { liveSeasons, type DueSeason } from './seasons';
import { queueWeeklyDigests } from './weekly';
import { queueDailySummaries } from './summary';

// Every minute: is a weekly digest or a daily summary due? Cheap when nothing is: one read of
// the live seasons and a little date arithmetic; a season's slot, once handled, is remembered
// until the next one (a restart forgets, and the dedupe keys keep the mails once only).

export interface DigestCheck {
	/** One round at `now`; returns how many mails were queued. */
	check(now: number): { digests: number; summaries: number };
}

export function createDigestCheck(db: Db): DigestCheck {
	// The slot last handled per kind and season ('weekly:3' → '2026-W49').
	const handled = new Map<string, string>();
	return {
		check(now) {
			const due: Record<'weekly' | 'daily', DueSeason[]> = { weekly: [], daily: [] };
			for (const season of liveSeasons(db))
				for (const kind of ['weekly', 'daily'] as const) {
					const slot = dueSlot(kind, now, season);
					if (slot && handled.get(`${kind}:${season.id}`) !== slot.key)
						due[kind].push({ season, slot });
				}
			const digests = queueWeeklyDigests(db, due.weekly, now);
			const summaries = queueDailySummaries(db, due.daily, now);
			for (const kind of ['weekly', 'daily'] as const)
				for (const { season, slot } of due[kind]) handled.set(`${kind}:${season.id}`, slot.key);
			if (digests + summaries > 0)
				log.info(
					{ digests, summaries },
					`queued ${digests} digest(s), ${summaries} summary mail(s)`
				);
			return { digests, summaries };
		}
	};
}

/** Runs the check every `intervalMs` (default a minute) for the running server. */
export function startDigestJob(db: Db, options: { clock: Clock; intervalMs?: number }): () => void {
	const digests = createDigestCheck(db);
	const timer = setInterval(() => {
		try {
			digests.check(options.clock());
		} catch (error) {
			log.error({ err: error }, 'digest check failed');
		}
	}, options.intervalMs ?? 60_000);
	timer.unref();
	return () => clearInterval(timer);
}
