import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Store } from '../db/store';
import { log } from '../shared/log';
import { rankChanges, type Placed } from './rank-changes';
import { rankEvents, type RankEvents } from './events';

// Reads each live season's ranking of people with points when its version moved, and tells
// rankEvents who was overtaken and who took the lead since the last reading. The first reading
// of a season after start is only remembered (a restart never replays old news). Each node
// keeps its own readings: on several nodes each one tells its own listeners, whose queueing
// keeps a message once by its dedupe key (notify/digest/overtaken.ts, notify/chat/watch.ts).

interface Reading {
	version: number;
	ranking: Placed[];
}

export interface RankWatch {
	/** One round: reads the seasons whose version moved and emits their changes. */
	check(): Promise<void>;
	stop(): void;
}

export function createRankWatch(store: Store, options: { clock?: () => number } = {}): RankWatch {
	const clock = options.clock ?? Date.now;
	const readings = new Map<number, Reading>();
	const { season: seasons, standing } = store.tables;

	function ranking(seasonId: number, total: boolean): Promise<Placed[]> {
		const points = (
			total
				? sql<number>`${standing.confirmedPoints} + ${standing.provisionalPoints}`
				: sql<number>`${standing.confirmedPoints}`
		).mapWith(Number);
		return store.db
			.select({ id: standing.subjectId, points })
			.from(standing)
			.where(
				and(eq(standing.seasonId, seasonId), eq(standing.subjectType, 'user'), sql`${points} > 0`)
			)
			.orderBy(desc(points), asc(standing.reachedAt), asc(standing.subjectId));
	}

	return {
		async check() {
			const live = await store.db
				.select({ id: seasons.id, version: seasons.version, rankBy: seasons.rankBy })
				.from(seasons)
				.where(eq(seasons.status, 'live'));
			const seen = new Set<number>();
			for (const season of live) {
				seen.add(season.id);
				const last = readings.get(season.id);
				if (last && last.version === season.version) continue;
				const now = await ranking(season.id, season.rankBy === 'total');
				readings.set(season.id, { version: season.version, ranking: now });
				if (!last) continue;
				const changes = rankChanges(last.ranking, now);
				const at = clock();
				for (const o of changes.overtaken) emit('overtaken', { ...o, seasonId: season.id, at });
				if (changes.lead) emit('lead', { ...changes.lead, seasonId: season.id, at });
			}
			for (const id of readings.keys()) if (!seen.has(id)) readings.delete(id);
		},
		stop() {
			readings.clear();
		}
	};
}

function emit<K extends keyof RankEvents>(event: K, payload: RankEvents[K][0]) {
	try {
		(rankEvents.emit as (event: K, payload: RankEvents[K][0]) => boolean)(event, payload);
	} catch (error) {
		log.error({ err: error, event }, 'a rank-change listener failed');
	}
}
