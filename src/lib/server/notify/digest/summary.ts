import { and, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import { write, type Store, type StoreDb, type Tables } from '../../db/store';
import { addDaysToKey, localDayRange } from '../../../contest/calendar';
import { queueMailInWrite } from '../mail/queue';
import { summaryMail, type SummarySeason } from '../mail/digest-summary';
import { readRankingAt } from './ranking-at';
import type { Ranked, RankInput } from '../../../contest/ranking';
import { mailRecipients, type DueSeason, type LiveSeason } from './seasons';

// The managers' morning summary: to every manager and admin, once a day
// (`summary:<userId>:<date>`), yesterday in each season whose 08:00 has come: its sales and
// points, the sales waiting for review, the top 3 and the person who climbed most.

/**
 * Yesterday (the local day before `date`) of one season, as the summary tells it, in SQL both
 * dialects speak, on `db` (the store's, or a read's: the read thread reads it ahead for the
 * digest job on SQLite).
 */
export async function readSeasonYesterday(
	db: StoreDb,
	tables: Tables,
	season: LiveSeason,
	date: string,
	now: number
): Promise<SummarySeason> {
	const { sale } = tables;
	const [start, end] = localDayRange(addDaysToKey(date, -1), season.timeZone);
	const [day] = await db
		.select({
			sales: sql<number>`count(*)`.mapWith(Number),
			points: sql<number>`coalesce(sum(${sale.points}), 0)`.mapWith(Number)
		})
		.from(sale)
		.where(
			and(
				eq(sale.seasonId, season.id),
				gte(sale.occurredAt, start),
				lt(sale.occurredAt, end),
				inArray(sale.status, ['pending', 'approved'])
			)
		);
	const [waiting] = await db
		.select({ n: sql<number>`count(*)`.mapWith(Number) })
		.from(sale)
		.where(and(eq(sale.seasonId, season.id), eq(sale.status, 'pending')));
	return yesterdayOf(season, day, waiting.n, [
		await readRankingAt(db, tables, season, now),
		await readRankingAt(db, tables, season, start),
		await readRankingAt(db, tables, season, end)
	]);
}

/** The summary's season from its reads: the rankings now, at yesterday's start and its end. */
function yesterdayOf(
	season: LiveSeason,
	day: { sales: number; points: number },
	waiting: number,
	[now, start, end]: Ranked<RankInput>[][]
): SummarySeason {
	const top = now
		.filter((p) => p.points > 0)
		.slice(0, 3)
		.map((p) => ({ name: p.name, points: p.points }));
	// The climber gained points yesterday and places with them (a fall of others is no climb).
	const before = new Map(start.map((r) => [r.id, r]));
	let climber: SummarySeason['climber'] = null;
	let best = 0;
	for (const after of end) {
		const was = before.get(after.id);
		const from = was?.rank ?? Infinity;
		const climb = was ? was.rank - after.rank : 0;
		if (after.points > (was?.points ?? 0) && climb > best && from !== Infinity) {
			best = climb;
			climber = { name: after.name, from, to: after.rank };
		}
	}
	return { name: season.name, sales: day.sales, points: day.points, waiting, top, climber };
}

/**
 * Queues the summaries of the due seasons, in one write; returns how many were queued. `read`:
 * each due season's yesterday, read ahead (by the read thread: job.ts), else read here.
 */
export async function queueDailySummaries(
	store: Store,
	due: readonly DueSeason[],
	now: number,
	read?: SummarySeason[]
): Promise<number> {
	if (due.length === 0) return 0;
	const { user } = store.tables;
	const managers = (
		await store.db
			.select({ id: user.id })
			.from(user)
			.where(inArray(user.role, ['manager', 'admin']))
	).map((r) => r.id);
	const date = due[0].slot.key;
	const keyOf = (id: number) => `summary:${id}:${date}`;
	const people = await mailRecipients(store, managers, 'daily_summary', keyOf);
	if (people.length === 0) return 0;
	const seasons: SummarySeason[] = [];
	if (read) seasons.push(...read);
	else
		for (const { season, slot } of due)
			seasons.push(await readSeasonYesterday(store.db, store.tables, season, slot.date, now));
	const yesterday = addDaysToKey(date, -1);
	return write(store, async (tx) => {
		let queued = 0;
		for (const person of people) {
			const body = summaryMail(yesterday, seasons, person.locale);
			const mail = { userId: person.id, kind: 'daily_summary' as const, to: person.email };
			if (await queueMailInWrite(tx, store, { ...mail, ...body, dedupeKey: keyOf(person.id) }, now))
				queued++;
		}
		return queued;
	});
}
