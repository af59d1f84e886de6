import { and, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../../db';
import { sale, user } from '../../db/schema';
import { addDaysToKey, localDayRange } from '../../../contest/calendar';
import { queueMail } from '../mail/queue';
import { summaryMail, type SummarySeason } from '../mail/digest-summary';
import { rankingAt } from './ranking-at';
import { mailRecipients, type DueSeason, type LiveSeason } from './seasons';

// The managers' morning summary: to every manager and admin, once a day
// (`summary:<userId>:<date>`), yesterday in each season whose 08:00 has come: its sales and
// points, the sales waiting for review, the top 3 and the person who climbed most.

/** Yesterday (the local day before `date`) of one season, as the summary tells it. */
export function seasonYesterday(
	db: Queryable,
	season: LiveSeason,
	date: string,
	now: number
): SummarySeason {
	const [start, end] = localDayRange(addDaysToKey(date, -1), season.timeZone);
	const day = db
		.select({
			sales: sql<number>`count(*)`,
			points: sql<number>`coalesce(sum(${sale.points}), 0)`
		})
		.from(sale)
		.where(
			and(
				eq(sale.seasonId, season.id),
				gte(sale.occurredAt, start),
				lt(sale.occurredAt, end),
				inArray(sale.status, ['pending', 'approved'])
			)
		)
		.get()!;
	const waiting = db
		.select({ n: sql<number>`count(*)` })
		.from(sale)
		.where(and(eq(sale.seasonId, season.id), eq(sale.status, 'pending')))
		.get()!.n;
	const top = rankingAt(db, season, now)
		.filter((p) => p.points > 0)
		.slice(0, 3)
		.map((p) => ({ name: p.name, points: p.points }));
	// The climber gained points yesterday and places with them (a fall of others is no climb).
	const before = new Map(rankingAt(db, season, start).map((r) => [r.id, r]));
	let climber: SummarySeason['climber'] = null;
	let best = 0;
	for (const after of rankingAt(db, season, end)) {
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
 * Queues the summaries of the due seasons; returns how many were queued. `read`: each due
 * season's yesterday, read ahead (by the read thread: job.ts), else read here.
 */
export function queueDailySummaries(
	db: Db,
	due: readonly DueSeason[],
	now: number,
	read?: SummarySeason[]
): number {
	if (due.length === 0) return 0;
	const managers = db
		.select({ id: user.id })
		.from(user)
		.where(inArray(user.role, ['manager', 'admin']))
		.all()
		.map((r) => r.id);
	const date = due[0].slot.key;
	const keyOf = (id: number) => `summary:${id}:${date}`;
	const people = mailRecipients(db, managers, 'daily_summary', keyOf);
	if (people.length === 0) return 0;
	const seasons =
		read ?? due.map(({ season, slot }) => seasonYesterday(db, season, slot.date, now));
	const yesterday = addDaysToKey(date, -1);
	let queued = 0;
	db.transaction((tx) => {
		for (const person of people) {
			const body = summaryMail(yesterday, seasons, person.locale);
			const mail = { userId: person.id, kind: 'daily_summary' as const, to: person.email };
			if (queueMail(tx, { ...mail, ...body, dedupeKey: keyOf(person.id) }, now)) queued++;
		}
	});
	return queued;
}
