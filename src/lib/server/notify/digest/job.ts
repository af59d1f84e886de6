import type { Store } from '../../db/store';
import { offLoopReader } from '../../db/dialect';
import { log } from '../../shared/log';
import type { Clock } from '../../shared/clock';
import { dueSlot } from './due';
import { liveSeasons, type DueSeason } from './seasons';
import { digestInstants, queueWeeklyDigests } from './weekly';
import { queueDailySummaries } from './summary';
import type { SummarySeason } from '../mail/digest-summary';
import { rankingsFrom, type RankingSeason, type RankingsAt } from './ranking-at';
import { getReadThread } from '../../reads/thread';

// Every minute: is a weekly digest or a daily summary due? Cheap when nothing is: one read of
// the live seasons and a little date arithmetic; a season's slot, once handled, is remembered
// until the next one (a restart forgets, and the dedupe keys keep the mails once only).
// When one is due, what it tells sums each season's ledger and sales (the rankings now, a week
// ago, at yesterday's start and end; yesterday's sales; the sales waiting): 809 ms on the event
// loop at 200,000 sales for one summary (docs/benchmarks.md, "bench:restart"). The server's
// read thread reads them (SQLite only; without it, as on PostgreSQL, they are read through the
// store); the mails are then queued here, in one write per kind (db/store.ts). Nodes that check
// the same slot at once queue each mail once (its dedupe key).

export interface DigestCheck {
	/** One round at `now`; resolves with how many mails were queued. */
	check(now: number): Promise<{ digests: number; summaries: number }>;
}

/**
 * What the due mails tell that sums a season's ledger, read on the read thread: the digest's
 * rankings (now and a week ago) and each summary's yesterday. Without a thread (or when it
 * fails) the queueing functions read them here.
 */
async function readAhead(
	store: Store,
	due: Record<'weekly' | 'daily', DueSeason[]>,
	now: number
): Promise<{ ranked?: RankingsAt; summaries?: SummarySeason[] }> {
	// The read thread reads the app's SQLite file; on PostgreSQL the pool is the read path.
	const thread = offLoopReader(store, getReadThread());
	if (!thread) return {};
	const wanted: { season: RankingSeason; at: number }[] = [];
	for (const { season } of due.weekly)
		for (const at of digestInstants(now)) wanted.push({ season: rankingSeason(season), at });
	try {
		const [rankings, summaries] = await Promise.all([
			wanted.length > 0 ? thread.rankingsAt(wanted) : [],
			due.daily.length > 0
				? thread.summaries(due.daily.map(({ season, slot }) => ({ season, date: slot.date, now })))
				: undefined
		]);
		return { ranked: rankings.length > 0 ? rankingsFrom(rankings) : undefined, summaries };
	} catch (error) {
		log.warn({ err: error }, 'the read thread could not read the mails; reading them here');
		return {};
	}
}

/** What a ranking needs of a season: a plain object the thread can be sent. */
function rankingSeason(season: RankingSeason): RankingSeason {
	return { id: season.id, rankBy: season.rankBy, tieRule: season.tieRule };
}

export function createDigestCheck(store: Store): DigestCheck {
	// The slot last handled per kind and season ('weekly:3' → '2026-W49').
	const handled = new Map<string, string>();
	return {
		async check(now) {
			const due: Record<'weekly' | 'daily', DueSeason[]> = { weekly: [], daily: [] };
			for (const season of await liveSeasons(store))
				for (const kind of ['weekly', 'daily'] as const) {
					const slot = dueSlot(kind, now, season);
					if (slot && handled.get(`${kind}:${season.id}`) !== slot.key)
						due[kind].push({ season, slot });
				}
			if (due.weekly.length + due.daily.length === 0) return { digests: 0, summaries: 0 };
			const read = await readAhead(store, due, now);
			const digests = await queueWeeklyDigests(store, due.weekly, now, read.ranked);
			const summaries = await queueDailySummaries(store, due.daily, now, read.summaries);
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

/** Runs the check every `intervalMs` (default a minute) for the running server, one at a time. */
export function startDigestJob(
	store: Store,
	options: { clock: Clock; intervalMs?: number }
): () => void {
	const digests = createDigestCheck(store);
	let running = false;
	const timer = setInterval(() => {
		if (running) return;
		running = true;
		digests
			.check(options.clock())
			.catch((error) => log.error({ err: error }, 'digest check failed'))
			.finally(() => (running = false));
	}, options.intervalMs ?? 60_000);
	timer.unref();
	return () => clearInterval(timer);
}
