import type { Queryable } from '../db';
import { log } from '../shared/log';
import { rankChanges, type Placed } from './rank-changes';
import { rankEvents, type RankEvents } from './events';

// Reads each live season's ranking of people with points when its version moved, and tells
// rankEvents who was overtaken and who took the lead since the last reading. The first reading
// of a season after start is only remembered (a restart never replays old news).

interface Reading {
	version: number;
	ranking: Placed[];
}

const LIVE = `SELECT id, version, rank_by AS rankBy FROM season WHERE status = 'live'`;
const RANKING = (total: boolean) => `SELECT subject_id AS id,
	${total ? 'confirmed_points + provisional_points' : 'confirmed_points'} AS points
	FROM standing WHERE season_id = ? AND subject_type = 'user'
		AND ${total ? 'confirmed_points + provisional_points' : 'confirmed_points'} > 0
	ORDER BY points DESC, reached_at, subject_id`;

export interface RankWatch {
	/** One round: reads the seasons whose version moved and emits their changes. */
	check(): void;
	stop(): void;
}

export function createRankWatch(
	db: Queryable & { $client: { prepare(sql: string): { all(...p: unknown[]): unknown[] } } },
	options: { clock?: () => number } = {}
): RankWatch {
	const clock = options.clock ?? Date.now;
	const readings = new Map<number, Reading>();
	const client = db.$client;
	return {
		check() {
			const live = client.prepare(LIVE).all() as {
				id: number;
				version: number;
				rankBy: string;
			}[];
			const seen = new Set<number>();
			for (const season of live) {
				seen.add(season.id);
				const last = readings.get(season.id);
				if (last && last.version === season.version) continue;
				const ranking = client
					.prepare(RANKING(season.rankBy === 'total'))
					.all(season.id) as Placed[];
				readings.set(season.id, { version: season.version, ranking });
				if (!last) continue;
				const changes = rankChanges(last.ranking, ranking);
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
