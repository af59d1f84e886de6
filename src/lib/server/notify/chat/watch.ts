// The chat events that no transaction announces: a new leader (heard from rank-watch.ts through
// rankEvents) and the daily summary at 08:00 in each live season's zone.
import { and, desc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db';
import { outgoingMessage, sale, season, standing, user } from '../../db/schema';
import { addDaysToKey, localDateKey, localDayRange } from '../../../contest/calendar';
import type { RankEvents } from '../events';
import { activeChannels } from './channels';
import type { Placing } from './compose';
import { queueForChannels } from './queue';

/** The summary goes out from 08:00 local; a server that was down until noon skips the day. */
const SUMMARY_FROM_HOUR = 8;
const SUMMARY_UNTIL_HOUR = 12;
/** One "took the lead" per leader per season in this window: a see-saw is not news each time. */
const LEAD_WINDOW_MS = 10 * 60 * 1000;

const nameOf = (db: Db, id: number) =>
	db.select({ name: user.displayName }).from(user).where(eq(user.id, id)).get()?.name ?? null;

/** Queues a lead change for the channels that want it (called by the rankEvents listener). */
export function queueLeadChange(db: Db, change: RankEvents['lead'][0]): number {
	const to = activeChannels(db).filter((c) => c.events.includes('lead_change'));
	if (to.length === 0) return 0;
	return db.transaction((tx) => {
		const s = tx
			.select({ name: season.name })
			.from(season)
			.where(eq(season.id, change.seasonId))
			.get();
		const leader = nameOf(db, change.leaderId);
		if (!s || !leader) return 0;
		// Every process runs a rank watch: the window in the key lets only one of them post it.
		const key = `${change.seasonId}:${change.leaderId}:${Math.floor(change.at / LEAD_WINDOW_MS)}`;
		return queueForChannels(
			tx,
			to,
			{
				event: 'lead_change',
				season: s.name,
				leader,
				previous: change.previousLeaderId ? nameOf(db, change.previousLeaderId) : null
			},
			key,
			change.at
		);
	});
}

function localHour(ms: number, timeZone: string): number {
	const hour = new Intl.DateTimeFormat('en-GB', { hour: 'numeric', hourCycle: 'h23', timeZone })
		.formatToParts(ms)
		.find((p) => p.type === 'hour');
	return Number(hour?.value ?? 0);
}

/** Competition ranking (1, 2, 2, 4) of the best three people. */
function topThree(db: Db, seasonId: number, total: boolean): Placing[] {
	const points = total
		? sql<number>`${standing.confirmedPoints} + ${standing.provisionalPoints}`
		: sql<number>`${standing.confirmedPoints}`;
	const rows = db
		.select({ name: user.displayName, points })
		.from(standing)
		.innerJoin(user, eq(user.id, standing.subjectId))
		.where(
			and(eq(standing.seasonId, seasonId), eq(standing.subjectType, 'user'), sql`${points} > 0`)
		)
		.orderBy(desc(points), standing.reachedAt, standing.subjectId)
		.limit(3)
		.all();
	return rows.map((row, i) => ({
		...row,
		rank: i > 0 && rows[i - 1].points === row.points ? i : i + 1
	}));
}

/**
 * Queues the daily summary of each live season whose local time is between 08:00 and noon, once
 * per channel and local day (the dedupe key). Returns how many messages were queued.
 */
export function queueDailySummaries(db: Db, now: number): number {
	const to = activeChannels(db).filter((c) => c.events.includes('daily_summary'));
	if (to.length === 0) return 0;
	const live = db
		.select({ id: season.id, name: season.name, timeZone: season.timeZone, rankBy: season.rankBy })
		.from(season)
		.where(eq(season.status, 'live'))
		.all();
	let queued = 0;
	for (const s of live) {
		const hour = localHour(now, s.timeZone);
		if (hour < SUMMARY_FROM_HOUR || hour >= SUMMARY_UNTIL_HOUR) continue;
		const day = localDateKey(now, s.timeZone);
		const keys = to.map((c) => `chat:${c.id}:daily_summary:${s.id}:${day}`);
		const done = db
			.select({ n: sql<number>`count(*)` })
			.from(outgoingMessage)
			.where(inArray(outgoingMessage.dedupeKey, keys))
			.get();
		if ((done?.n ?? 0) >= keys.length) continue;
		const [from, until] = localDayRange(addDaysToKey(day, -1), s.timeZone);
		queued += db.transaction((tx) => {
			const yesterday = tx
				.select({ n: sql<number>`count(*)`, points: sql<number>`coalesce(sum(${sale.points}), 0)` })
				.from(sale)
				.where(
					and(
						eq(sale.seasonId, s.id),
						inArray(sale.status, ['pending', 'approved']),
						gte(sale.occurredAt, from),
						lt(sale.occurredAt, until)
					)
				)
				.get();
			return queueForChannels(
				tx,
				to,
				{
					event: 'daily_summary',
					season: s.name,
					day,
					sales: yesterday?.n ?? 0,
					points: yesterday?.points ?? 0,
					top: topThree(db, s.id, s.rankBy === 'total')
				},
				`${s.id}:${day}`,
				now
			);
		});
	}
	return queued;
}
