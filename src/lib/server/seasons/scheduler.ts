import { and, eq, lte, or, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import {
	award,
	badge,
	schedulerLease,
	season,
	seasonResult,
	seasonTransition,
	type Season,
	type SeasonStatus
} from '../db/schema';
import { getLeaderboard } from '../boards/leaderboard';
import { seasonBadges } from '../badges/awards';
import { cloneSeason } from './clone';
import { graceEndSql } from './queries';
import { launchNeedsSql } from './launch';
import { publishBadge, publishSeason, notifyLeaderboard } from '../realtime/publish';
import type { BadgeEvent } from '../../realtime/events';
import { enqueueWebhooks } from '../webhooks/delivery';
import { systemClock, type Clock } from '../shared/clock';

const LEASE = 'scheduler';

interface SchedulerOptions {
	clock?: Clock;
	/** Who runs it: one name per process, so that two processes never both run. */
	holder?: string;
	leaseMs?: number;
}

interface Transition {
	seasonId: number;
	to: SeasonStatus;
	/** The next season a recurrence created. */
	nextSeasonId?: number;
}

/** Takes or renews the scheduler lease; false when another live holder has it. */
function acquireLease(db: Db, holder: string, now: number, leaseMs: number): boolean {
	const expiresAt = now + leaseMs;
	db.insert(schedulerLease)
		.values({ name: LEASE, holder, expiresAt })
		.onConflictDoUpdate({
			target: schedulerLease.name,
			set: { holder, expiresAt },
			// Only an expired lease, or our own, changes hands.
			setWhere: or(lte(schedulerLease.expiresAt, now), eq(schedulerLease.holder, holder))
		})
		.run();
	return (
		db.select().from(schedulerLease).where(eq(schedulerLease.name, LEASE)).get()?.holder === holder
	);
}

/** Records a transition once; false when it was done before (by this or another process). */
function transition(
	tx: Queryable,
	s: Season,
	from: SeasonStatus,
	to: SeasonStatus,
	now: number,
	by = 'scheduler'
): boolean {
	const logged = tx
		.insert(seasonTransition)
		.values({ seasonId: s.id, toStatus: to, at: now, by })
		.onConflictDoNothing()
		.returning()
		.get();
	if (!logged) return false;
	const moved = tx
		.update(season)
		.set({ status: to })
		.where(and(eq(season.id, s.id), eq(season.status, from)))
		.run();
	if (moved.changes !== 1) throw new Error(`season ${s.id} is not ${from}`);
	return true;
}

/** Freezes the current standings as the season's results (ranks as displayed). */
function freezeResults(tx: Queryable, seasonId: number, now: number): void {
	const board = getLeaderboard(tx, seasonId)!;
	tx.delete(seasonResult).where(eq(seasonResult.seasonId, seasonId)).run();
	const rows = [
		...board.individual.map((e) => ({ subjectType: 'user' as const, ...e })),
		...board.teams.map((e) => ({ subjectType: 'team' as const, ...e }))
	].map((e) => ({
		seasonId,
		subjectType: e.subjectType,
		subjectId: e.id,
		name: e.name,
		teamName: e.teamName ?? null,
		rank: e.rank,
		points: e.points,
		provisionalPoints: e.provisionalPoints,
		salesCount: e.salesCount,
		frozenAt: now
	}));
	for (let i = 0; i < rows.length; i += 200)
		tx.insert(seasonResult)
			.values(rows.slice(i, i + 200))
			.run();
}

const END_BADGES = [
	{
		name: 'Season champion',
		emoji: '👑',
		description: 'Finished the season in first place',
		criterion: { kind: 'season_place', maxRank: 1 } as const
	},
	{
		name: 'Season podium',
		emoji: '🏅',
		description: 'Finished the season in the top 3',
		criterion: { kind: 'season_place', maxRank: 3 } as const
	},
	{
		name: 'Best team',
		emoji: '🏆',
		description: 'The team that won the season',
		criterion: { kind: 'season_best_team' } as const
	}
];

/** Champion, podium and best-team awards from the frozen results, each given once. */
function awardEndOfSeason(tx: Queryable, s: Season, now: number): BadgeEvent[] {
	const existing = seasonBadges(tx, s.id);
	const results = tx.select().from(seasonResult).where(eq(seasonResult.seasonId, s.id)).all();
	const events: BadgeEvent[] = [];
	for (const def of END_BADGES) {
		const b =
			existing.find(
				(e) =>
					e.seasonId === s.id &&
					e.criterion.kind === def.criterion.kind &&
					JSON.stringify(e.criterion) === JSON.stringify(def.criterion)
			) ??
			tx
				.insert(badge)
				.values({ ...def, seasonId: s.id })
				.returning()
				.get();
		if (!b.active) continue;
		const winners = results.filter((r) =>
			def.criterion.kind === 'season_best_team'
				? r.subjectType === 'team' && r.rank === 1 && r.points > 0
				: r.subjectType === 'user' && r.rank <= def.criterion.maxRank && r.points > 0
		);
		for (const w of winners) {
			const row = tx
				.insert(award)
				.values({
					badgeId: b.id,
					seasonId: s.id,
					subjectType: w.subjectType,
					subjectId: w.subjectId,
					periodKey: '',
					earnedAt: s.endsAt,
					createdAt: now
				})
				.onConflictDoNothing()
				.returning()
				.get();
			if (!row) continue;
			enqueueWebhooks(
				tx,
				'badge.awarded',
				{
					seasonId: s.id,
					subjectType: w.subjectType,
					subjectId: w.subjectId,
					subjectName: w.name,
					badge: {
						id: b.id,
						name: b.name,
						emoji: b.emoji,
						description: b.description,
						points: 0
					},
					provisional: false,
					periodKey: '',
					at: new Date(s.endsAt).toISOString()
				},
				now
			);
			events.push({
				seasonId: s.id,
				subjectType: w.subjectType,
				subjectId: w.subjectId,
				subjectName: w.name,
				userId: w.subjectType === 'user' ? w.subjectId : undefined,
				userName: w.subjectType === 'user' ? w.name : undefined,
				badge: { id: b.id, name: b.name, emoji: b.emoji, description: b.description, points: 0 },
				periodKey: '',
				at: s.endsAt
			});
		}
	}
	return events;
}

type Step = { transitions: Transition[]; badges: BadgeEvent[] };

function stepOnce(db: Db, now: number): Step | null {
	return db.transaction(
		(tx) => {
			const due = tx
				.select()
				.from(season)
				.where(
					sql`(${season.status} = 'scheduled' and ${season.startsAt} <= ${now} and ${launchNeedsSql})
						or (${season.status} = 'live' and ${season.endsAt} <= ${now})
						or (${season.status} = 'ended' and ${graceEndSql} <= ${now})`
				)
				.orderBy(season.endsAt, season.id)
				.limit(1)
				.get();
			if (!due) return null;
			if (due.status === 'scheduled') {
				// A season whose whole window passed while the server was down still opens (and
				// then ends at once), so that it exists and its recurrence carries on. A season
				// without people or products never opens by itself (launchNeedsSql).
				transition(tx, due, 'scheduled', 'live', now);
				return { transitions: [{ seasonId: due.id, to: 'live' }], badges: [] };
			}
			if (due.status === 'live') {
				transition(tx, due, 'live', 'ended', now);
				freezeResults(tx, due.id, now);
				const badges = awardEndOfSeason(tx, due, now);
				const next = due.recurrence
					? cloneSeason(tx, due, { recurrence: due.recurrence, now })
					: undefined;
				const top = (type: 'user' | 'team') =>
					tx
						.select({
							rank: seasonResult.rank,
							id: seasonResult.subjectId,
							name: seasonResult.name,
							points: seasonResult.points
						})
						.from(seasonResult)
						.where(and(eq(seasonResult.seasonId, due.id), eq(seasonResult.subjectType, type)))
						.orderBy(seasonResult.rank, seasonResult.name)
						.all()
						.filter((r) => r.rank <= 3);
				const ended = { id: due.id, name: due.name, endsAt: new Date(due.endsAt).toISOString() };
				enqueueWebhooks(
					tx,
					'season.ended',
					{
						season: ended,
						podium: top('user'),
						teams: top('team'),
						nextSeasonId: next?.id ?? null
					},
					now
				);
				return { transitions: [{ seasonId: due.id, to: 'ended', nextSeasonId: next?.id }], badges };
			}
			// Grace period over: late confirmations are in, the results become final.
			freezeResults(tx, due.id, now);
			transition(tx, due, 'ended', 'archived', now);
			tx.update(season).set({ finalizedAt: now }).where(eq(season.id, due.id)).run();
			// Whoever a late confirmation lifted onto the podium gets the badge too; nobody loses one.
			return {
				transitions: [{ seasonId: due.id, to: 'archived' }],
				badges: awardEndOfSeason(tx, due, now)
			};
		},
		{ behavior: 'immediate' }
	);
}

/**
 * Runs every transition that is due at the clock's time, oldest first, each in its own
 * transaction: scheduled → live at the start (once it has people and products: until then it
 * waits, "ready to launch"), live → ended at the end (results frozen,
 * end-of-season badges, the next season of a recurrence), ended → archived after the grace
 * period (results final). Safe to call from several processes and after any downtime.
 */
export function runScheduler(db: Db, options: SchedulerOptions = {}): Transition[] {
	const clock = options.clock ?? systemClock;
	const holder = options.holder ?? `pid-${process.pid}`;
	if (!acquireLease(db, holder, clock(), options.leaseMs ?? 60_000)) return [];
	const done: Transition[] = [];
	for (let i = 0; i < 1000; i++) {
		const step = stepOnce(db, clock());
		if (!step) break;
		done.push(...step.transitions);
		for (const t of step.transitions) {
			publishSeason({ seasonId: t.seasonId, status: t.to, nextSeasonId: t.nextSeasonId });
			notifyLeaderboard(t.seasonId);
		}
		for (const event of step.badges) publishBadge(event);
	}
	return done;
}
