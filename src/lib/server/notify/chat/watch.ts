// The chat events that no transaction announces: a new leader (heard from rank-watch.ts through
// rankEvents) and the daily summary at 08:00 in each live season's zone. On the store
// (db/store.ts): each queueing is one write, and the dedupe keys keep a message once however
// many nodes see the change or the hour.
import { and, desc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import { write, type Store, type StoreDb } from '../../db/store';
import { addDaysToKey, localDateKey, localDayRange } from '../../../contest/calendar';
import type { RankEvents } from '../events';
import { readActiveChannels } from './channels';
import type { Placing } from './compose';
import { queueForChannelsInWrite } from './queue';

/** The summary goes out from 08:00 local; a server that was down until noon skips the day. */
const SUMMARY_FROM_HOUR = 8;
const SUMMARY_UNTIL_HOUR = 12;
/** One "took the lead" per leader per season in this window: a see-saw is not news each time. */
const LEAD_WINDOW_MS = 10 * 60 * 1000;

async function nameOf(db: StoreDb, store: Store, id: number): Promise<string | null> {
	const { user } = store.tables;
	const [row] = await db.select({ name: user.displayName }).from(user).where(eq(user.id, id));
	return row?.name ?? null;
}

/** Queues a lead change for the channels that want it (called by the rankEvents listener). */
export async function queueLeadChange(
	store: Store,
	change: RankEvents['lead'][0]
): Promise<number> {
	const to = (await readActiveChannels(store)).filter((c) => c.events.includes('lead_change'));
	if (to.length === 0) return 0;
	const { season } = store.tables;
	return write(store, async (tx) => {
		const [s] = await tx
			.select({ name: season.name })
			.from(season)
			.where(eq(season.id, change.seasonId));
		const leader = await nameOf(tx, store, change.leaderId);
		if (!s || !leader) return 0;
		// Every process runs a rank watch: the window in the key lets only one of them post it.
		const key = `${change.seasonId}:${change.leaderId}:${Math.floor(change.at / LEAD_WINDOW_MS)}`;
		return queueForChannelsInWrite(
			tx,
			store,
			to,
			{
				event: 'lead_change',
				season: s.name,
				leader,
				previous: change.previousLeaderId ? await nameOf(tx, store, change.previousLeaderId) : null
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
async function topThree(
	db: StoreDb,
	store: Store,
	seasonId: number,
	total: boolean
): Promise<Placing[]> {
	const { standing, user } = store.tables;
	const points = total
		? sql<number>`${standing.confirmedPoints} + ${standing.provisionalPoints}`
		: sql<number>`${standing.confirmedPoints}`;
	const rows = await db
		.select({ name: user.displayName, points: points.mapWith(Number) })
		.from(standing)
		.innerJoin(user, eq(user.id, standing.subjectId))
		.where(
			and(eq(standing.seasonId, seasonId), eq(standing.subjectType, 'user'), sql`${points} > 0`)
		)
		.orderBy(desc(points), standing.reachedAt, standing.subjectId)
		.limit(3);
	return rows.map((row, i) => ({
		...row,
		rank: i > 0 && rows[i - 1].points === row.points ? i : i + 1
	}));
}

/**
 * Queues the daily summary of each live season whose local time is between 08:00 and noon, once
 * per channel and local day (the dedupe key). Returns how many messages were queued.
 */
export async function queueDailySummaries(store: Store, now: number): Promise<number> {
	const to = (await readActiveChannels(store)).filter((c) => c.events.includes('daily_summary'));
	if (to.length === 0) return 0;
	const { outgoingMessage, sale, season } = store.tables;
	const live = await store.db
		.select({ id: season.id, name: season.name, timeZone: season.timeZone, rankBy: season.rankBy })
		.from(season)
		.where(eq(season.status, 'live'));
	let queued = 0;
	for (const s of live) {
		const hour = localHour(now, s.timeZone);
		if (hour < SUMMARY_FROM_HOUR || hour >= SUMMARY_UNTIL_HOUR) continue;
		const day = localDateKey(now, s.timeZone);
		const keys = to.map((c) => `chat:${c.id}:daily_summary:${s.id}:${day}`);
		const [done] = await store.db
			.select({ n: sql<number>`count(*)`.mapWith(Number) })
			.from(outgoingMessage)
			.where(inArray(outgoingMessage.dedupeKey, keys));
		if ((done?.n ?? 0) >= keys.length) continue;
		const [from, until] = localDayRange(addDaysToKey(day, -1), s.timeZone);
		queued += await write(store, async (tx) => {
			const [yesterday] = await tx
				.select({
					n: sql<number>`count(*)`.mapWith(Number),
					points: sql<number>`coalesce(sum(${sale.points}), 0)`.mapWith(Number)
				})
				.from(sale)
				.where(
					and(
						eq(sale.seasonId, s.id),
						inArray(sale.status, ['pending', 'approved']),
						gte(sale.occurredAt, from),
						lt(sale.occurredAt, until)
					)
				);
			return queueForChannelsInWrite(
				tx,
				store,
				to,
				{
					event: 'daily_summary',
					season: s.name,
					day,
					sales: yesterday?.n ?? 0,
					points: yesterday?.points ?? 0,
					top: await topThree(tx, store, s.id, s.rankBy === 'total')
				},
				`${s.id}:${day}`,
				now
			);
		});
	}
	return queued;
}
