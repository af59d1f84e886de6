import { and, eq, gt, isNull, lte, or } from 'drizzle-orm';
import { write, type Store } from '../../db/store';
import { queueMailInWrite } from '../mail/queue';
import { weeklyMail, type WeeklySeason } from '../mail/digest-weekly';
import { readRankingAt, type RankingsAt } from './ranking-at';
import { mailRecipients, type DueSeason } from './seasons';
import { openQuizzesWithTakers } from '../../quizzes/queries';

// The weekly digest: to every joined member of the seasons whose Monday 08:00 has come, their
// rank and points now and a week ago and the campaigns running now; once per person and ISO
// week (`digest:<userId>:<week>`), so a second check or a restart queues nothing more.

const WEEK = 7 * 24 * 60 * 60 * 1000;

/** The instants a season's digest ranks it at: now and a week ago (job.ts reads them ahead). */
export function digestInstants(now: number): number[] {
	return [now, now - WEEK];
}

/** The names of the season's rules whose window is open now, in the order they were made. */
async function campaignsNow(store: Store, seasonId: number, now: number): Promise<string[]> {
	const { rule } = store.tables;
	const rows = await store.db
		.select({ name: rule.name })
		.from(rule)
		.where(
			and(
				eq(rule.seasonId, seasonId),
				eq(rule.active, true),
				or(isNull(rule.startsAt), lte(rule.startsAt, now)),
				or(isNull(rule.endsAt), gt(rule.endsAt, now))
			)
		)
		.orderBy(rule.id);
	return rows.map((r) => r.name);
}

/**
 * Queues the digests of the due seasons (with their slots), in one write; returns how many were
 * queued.
 */
export async function queueWeeklyDigests(
	store: Store,
	due: readonly DueSeason[],
	now: number,
	ranked: RankingsAt = (season, at) => readRankingAt(store.db, store.tables, season, at)
): Promise<number> {
	if (due.length === 0) return 0;
	const sections = new Map<number, WeeklySeason[]>();
	for (const { season } of due) {
		const ranking = await ranked(season, now);
		const before = new Map((await ranked(season, now - WEEK)).map((r) => [r.id, r]));
		const campaigns = await campaignsNow(store, season.id, now);
		const quizzes = await openQuizzesWithTakers(store, season.id, now);
		for (const place of ranking) {
			const then = before.get(place.id);
			const section: WeeklySeason = {
				name: season.name,
				rank: place.rank,
				of: ranking.length,
				points: place.points,
				before: then ? { rank: then.rank, points: then.points } : null,
				campaigns,
				quizzes: quizzes
					.filter((q) => !q.takers.has(place.id))
					.map((q) => ({ title: q.title, points: q.points }))
			};
			sections.set(place.id, [...(sections.get(place.id) ?? []), section]);
		}
	}
	// One digest a week however many seasons a person plays: the first due season's week names it.
	const week = due[0].slot.key;
	const keyOf = (id: number) => `digest:${id}:${week}`;
	const people = await mailRecipients(store, [...sections.keys()], 'weekly_digest', keyOf);
	if (people.length === 0) return 0;
	return write(store, async (tx) => {
		let queued = 0;
		for (const person of people) {
			const body = weeklyMail(sections.get(person.id)!, person.locale);
			const mail = { userId: person.id, kind: 'weekly_digest' as const, to: person.email };
			if (await queueMailInWrite(tx, store, { ...mail, ...body, dedupeKey: keyOf(person.id) }, now))
				queued++;
		}
		return queued;
	});
}
