import { and, eq } from 'drizzle-orm';
import type { Queryable } from '../../db';
import { season, standing } from '../../db/schema';
import { localDateKey } from '../../../contest/calendar';
import { log } from '../../shared/log';
import { rankEvents, type RankEvents } from '../events';
import { wants } from '../preferences';
import { queueMail } from '../mail/queue';
import { overtakenMail } from '../mail/digest-overtaken';
import { personNames } from '../../boards/leaderboard';
import { alreadyQueued, recipient } from './recipient';

// "Sam just overtook you — you are now #3 in Spring Sprint, 40 pts behind": queued when the rank
// watch sees someone overtaken, at most once a day per person (the day of the season's zone,
// kept by the dedupe key), never to someone who switched it off or has not joined.

export type OvertakenEvent = RankEvents['overtaken'][0];

function pointsOf(db: Queryable, seasonId: number, userId: number, total: boolean): number {
	const row = db
		.select({ confirmed: standing.confirmedPoints, provisional: standing.provisionalPoints })
		.from(standing)
		.where(
			and(
				eq(standing.seasonId, seasonId),
				eq(standing.subjectType, 'user'),
				eq(standing.subjectId, userId)
			)
		)
		.get();
	return row ? row.confirmed + (total ? row.provisional : 0) : 0;
}

/** Queues the mail for one overtaking; false when it is not sent (see above). */
export function queueOvertaken(db: Queryable, event: OvertakenEvent): boolean {
	const s = db
		.select({ name: season.name, timeZone: season.timeZone, rankBy: season.rankBy })
		.from(season)
		.where(eq(season.id, event.seasonId))
		.get();
	if (!s) return false;
	const dedupeKey = `overtaken:${event.userId}:${localDateKey(event.at, s.timeZone)}`;
	if (alreadyQueued(db, dedupeKey) || !wants(db, event.userId, 'email', 'overtaken')) return false;
	const to = recipient(db, event.userId);
	if (!to) return false;
	const total = s.rankBy === 'total';
	const behind = Math.max(
		0,
		pointsOf(db, event.seasonId, event.byUserId, total) -
			pointsOf(db, event.seasonId, event.userId, total)
	);
	const by = personNames(db, [event.byUserId]).get(event.byUserId) ?? '?';
	const body = overtakenMail({ by, rank: event.rank, season: s.name, behind }, to.locale);
	return queueMail(
		db,
		{ userId: to.id, kind: 'overtaken', to: to.email, ...body, dedupeKey },
		event.at
	);
}

/** Listens to the rank watch for the running server; returns the removal. */
export function listenForOvertaken(db: Queryable): () => void {
	const listener = (event: OvertakenEvent) => {
		try {
			queueOvertaken(db, event);
		} catch (error) {
			log.error({ err: error, userId: event.userId }, 'queueing an overtaken mail failed');
		}
	};
	rankEvents.on('overtaken', listener);
	return () => rankEvents.off('overtaken', listener);
}
