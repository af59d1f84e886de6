import { and, eq } from 'drizzle-orm';
import { write, type Store, type StoreDb } from '../../db/store';
import { localDateKey } from '../../../contest/calendar';
import { log } from '../../shared/log';
import { rankEvents, type RankEvents } from '../events';
import { readWants } from '../preferences';
import { queueMailInWrite } from '../mail/queue';
import { overtakenMail } from '../mail/digest-overtaken';
import { alreadyQueued, readRecipient } from './recipient';

// "Sam just overtook you — you are now #3 in Spring Sprint, 40 pts behind": queued when the rank
// watch sees someone overtaken, at most once a day per person (the day of the season's zone,
// kept by the dedupe key), never to someone who switched it off or has not joined. On the store
// (db/store.ts): the checks and the mail are one write, so nodes that all see the overtaking
// queue it once.

export type OvertakenEvent = RankEvents['overtaken'][0];

async function pointsOf(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	userId: number,
	total: boolean
): Promise<number> {
	const { standing } = store.tables;
	const [row] = await tx
		.select({ confirmed: standing.confirmedPoints, provisional: standing.provisionalPoints })
		.from(standing)
		.where(
			and(
				eq(standing.seasonId, seasonId),
				eq(standing.subjectType, 'user'),
				eq(standing.subjectId, userId)
			)
		);
	return row ? row.confirmed + (total ? row.provisional : 0) : 0;
}

/** Queues the mail for one overtaking; false when it is not sent (see above). */
export function queueOvertaken(store: Store, event: OvertakenEvent): Promise<boolean> {
	const { season, user } = store.tables;
	return write(store, async (tx) => {
		const [s] = await tx
			.select({ name: season.name, timeZone: season.timeZone, rankBy: season.rankBy })
			.from(season)
			.where(eq(season.id, event.seasonId));
		if (!s) return false;
		const dedupeKey = `overtaken:${event.userId}:${localDateKey(event.at, s.timeZone)}`;
		if (
			(await alreadyQueued(tx, store, dedupeKey)) ||
			!(await readWants(tx, store, event.userId, 'email', 'overtaken'))
		)
			return false;
		const to = await readRecipient(tx, store, event.userId);
		if (!to) return false;
		const total = s.rankBy === 'total';
		const behind = Math.max(
			0,
			(await pointsOf(tx, store, event.seasonId, event.byUserId, total)) -
				(await pointsOf(tx, store, event.seasonId, event.userId, total))
		);
		const [by] = await tx
			.select({ name: user.displayName })
			.from(user)
			.where(eq(user.id, event.byUserId));
		const body = overtakenMail(
			{ by: by?.name ?? '?', rank: event.rank, season: s.name, behind },
			to.locale
		);
		return queueMailInWrite(
			tx,
			store,
			{ userId: to.id, kind: 'overtaken', to: to.email, ...body, dedupeKey },
			event.at
		);
	});
}

export interface OvertakenListener {
	stop(): void;
	/** Resolves when the mails of the overtakings heard so far are queued (or failed). */
	idle(): Promise<void>;
}

/** Listens to the rank watch for the running server. */
export function listenForOvertaken(store: Store): OvertakenListener {
	const inFlight = new Set<Promise<unknown>>();
	const listener = (event: OvertakenEvent) => {
		const queueing = queueOvertaken(store, event)
			.catch((error) =>
				log.error({ err: error, userId: event.userId }, 'queueing an overtaken mail failed')
			)
			.finally(() => inFlight.delete(queueing));
		inFlight.add(queueing);
	};
	rankEvents.on('overtaken', listener);
	return {
		stop: () => rankEvents.off('overtaken', listener),
		idle: async () => {
			await Promise.allSettled([...inFlight]);
		}
	};
}
